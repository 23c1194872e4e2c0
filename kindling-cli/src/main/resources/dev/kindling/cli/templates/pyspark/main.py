"""{{name}}: a Kindling data app on PySpark.

Run parameters arrive as `config:key=value` arguments:
  input   path of a text file (default: data/sample.txt, deployed with the app)
  top     how many words to print (default 10)
  output  optional path to write every count as Parquet

Runs unchanged on Fabric, Databricks and Synapse; on the `local` target it needs
`pip install pyspark` on this machine.
"""
import os
import sys

from {{python_package}}.logic import count_words, parse_params


def main(argv) -> int:
    params = parse_params(argv)
    app_dir = os.environ.get("KINDLING_APP_DIR", os.path.dirname(os.path.abspath(__file__)))
    source = params.get("input", os.path.join(app_dir, "data", "sample.txt"))
    top = int(params.get("top", "10"))

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("{{name}}").getOrCreate()
    try:
        counts = count_words(spark.read.text(source))
        for row in counts.limit(top).collect():
            print(f"{row['word']}\t{row['count']}")
        if "output" in params:
            counts.write.mode("overwrite").parquet(params["output"])
            print(f"wrote the counts to {params['output']}")
    finally:
        spark.stop()
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
