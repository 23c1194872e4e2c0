"""Run with `python3 -m unittest` in the app directory (pytest finds these tests too).

The Spark test runs a local SparkSession and is skipped where pyspark is not installed.
"""
import importlib.util
import unittest

from {{python_package}}.logic import count_words, parse_params

HAVE_PYSPARK = importlib.util.find_spec("pyspark") is not None


class ParamsTest(unittest.TestCase):
    def test_parse_params_reads_config_arguments_only(self):
        argv = ["config:top=2", "config:input=/a=b", "--other", "config:novalue"]
        self.assertEqual(parse_params(argv), {"top": "2", "input": "/a=b"})


@unittest.skipUnless(HAVE_PYSPARK, "pyspark is not installed (pip install pyspark)")
class CountWordsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from pyspark.sql import SparkSession

        cls.spark = SparkSession.builder.master("local[1]").appName("test").getOrCreate()

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()

    def test_counts_words_most_frequent_first(self):
        lines = self.spark.createDataFrame([("B a, b!",), ("c b A",)], ["value"])
        rows = [(r["word"], r["count"]) for r in count_words(lines).collect()]
        self.assertEqual(rows, [("b", 3), ("a", 2), ("c", 1)])


if __name__ == "__main__":
    unittest.main()
