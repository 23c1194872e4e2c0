"""pyspark-wordcount: counts the words of a text file with PySpark.

Parameters (`config:key=value`):
  input   path of the text file (default: the sample.txt deployed with the app)
  top     how many words to print (default 10)
  output  optional path to write the counts as Parquet

Runs unchanged on Fabric, Databricks and Synapse, and locally where pyspark is installed
(`pip install pyspark`).
"""
import os
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def parse(argv):
    params = {}
    for token in argv:
        if token.startswith("config:") and "=" in token:
            key, value = token[len("config:"):].split("=", 1)
            params[key] = value
    return params


def main() -> int:
    params = parse(sys.argv[1:])
    app_dir = os.environ.get("KINDLING_APP_DIR", os.getcwd())
    source = params.get("input", os.path.join(app_dir, "data", "sample.txt"))
    top = int(params.get("top", "10"))

    spark = SparkSession.builder.appName("kindling-wordcount").getOrCreate()
    lines = spark.read.text(source)
    words = (
        lines.select(F.explode(F.split(F.lower(F.col("value")), r"[^a-z0-9']+")).alias("word"))
        .where(F.col("word") != "")
    )
    counts = words.groupBy("word").count().orderBy(F.desc("count"), F.asc("word"))
    for row in counts.limit(top).collect():
        print(f"{row['word']}\t{row['count']}")
    if "output" in params:
        counts.write.mode("overwrite").parquet(params["output"])
        print(f"wrote counts to {params['output']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
