"""Run with `python3 -m unittest` in the app directory (pytest finds these tests too)."""
import unittest

from {{python_package}}.logic import parse_params, top_words, words


class LogicTest(unittest.TestCase):
    def test_parse_params_reads_config_arguments_only(self):
        argv = ["config:top=2", "config:text=a=b", "--other", "config:novalue"]
        self.assertEqual(parse_params(argv), {"top": "2", "text": "a=b"})

    def test_words_are_lower_cased_without_punctuation(self):
        self.assertEqual(words("Hello, World! It's fine."), ["hello", "world", "it's", "fine"])

    def test_top_words_counts_and_breaks_ties_alphabetically(self):
        self.assertEqual(top_words("b a c b a b", 2), [("b", 3), ("a", 2)])
        self.assertEqual(top_words("y x", 5), [("x", 1), ("y", 1)])

    def test_top_words_of_empty_text(self):
        self.assertEqual(top_words("", 3), [])


if __name__ == "__main__":
    unittest.main()
