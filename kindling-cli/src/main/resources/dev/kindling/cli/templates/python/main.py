"""{{name}}: a Kindling data app (Python, standard library only).

Run parameters arrive as `config:key=value` arguments:
  text   the text to count the words of (default: a sample sentence)
  top    how many words to print (default 3)
"""
import sys

from {{python_package}}.logic import parse_params, top_words

SAMPLE = "the quick brown fox jumps over the lazy dog and the dog sleeps"


def main(argv) -> int:
    params = parse_params(argv)
    text = params.get("text", SAMPLE)
    top = int(params.get("top", "3"))
    for word, count in top_words(text, top):
        print(f"{word}\t{count}")
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
