"""Pure functions: no I/O, no platform; tested by tests/test_logic.py."""
import re
from collections import Counter

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def parse_params(argv):
    """{key: value} for every `config:key=value` argument; other arguments are ignored."""
    params = {}
    for token in argv:
        if token.startswith("config:") and "=" in token:
            key, value = token[len("config:"):].split("=", 1)
            params[key] = value
    return params


def words(text):
    """The lower-cased words of `text`."""
    return [w.lower() for w in _WORD.findall(text)]


def top_words(text, n):
    """The `n` most frequent words as (word, count), most frequent first, ties alphabetical."""
    counts = Counter(words(text))
    return sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:n]
