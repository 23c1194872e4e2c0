"""The app's logic: parameter parsing and the Spark transformation, tested by tests/."""

WORD_SPLIT = r"[^\p{L}\p{N}']+"


def parse_params(argv):
    """{key: value} for every `config:key=value` argument; other arguments are ignored."""
    params = {}
    for token in argv:
        if token.startswith("config:") and "=" in token:
            key, value = token[len("config:"):].split("=", 1)
            params[key] = value
    return params


def count_words(lines):
    """A DataFrame of (word, count), most frequent first, ties alphabetical.

    `lines` is a DataFrame with one string column `value` (what `spark.read.text` returns).
    """
    from pyspark.sql import functions as F

    words = lines.select(
        F.explode(F.split(F.lower(F.col("value")), WORD_SPLIT)).alias("word")
    ).where(F.col("word") != "")
    return words.groupBy("word").count().orderBy(F.desc("count"), F.asc("word"))
