package dev.kindling.examples.wordcount;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.split;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Counts words: {@code input=PATH} (default: the sample text in this jar), prints the top 10,
 * writes all counts as Parquet to {@code output=PATH} (default {@code wordcount-output}).
 */
public final class WordCount {
  private WordCount() {}

  public static void main(String[] args) {
    Map<String, String> params = parameters(args);
    String output = params.getOrDefault("output", "wordcount-output");
    SparkSession spark = SparkSession.builder().appName("spark-wordcount-java").getOrCreate();
    try {
      Dataset<String> lines =
          params.containsKey("input")
              ? spark.read().textFile(params.get("input"))
              : spark.createDataset(sample(), Encoders.STRING());
      Dataset<Row> counts =
          lines
              .select(explode(split(lower(col("value")), "[^\\p{L}\\p{N}']+")).as("word"))
              .filter(length(col("word")).gt(0))
              .groupBy("word")
              .count()
              .orderBy(col("count").desc(), col("word").asc());
      System.out.println("top 10 words:");
      for (Row r : counts.limit(10).collectAsList()) {
        System.out.println(r.getString(0) + "\t" + r.getLong(1));
      }
      counts.write().mode(SaveMode.Overwrite).parquet(output);
      System.out.println("wrote " + counts.count() + " word counts to " + output);
    } finally {
      spark.stop();
    }
  }

  /**
   * The run parameters: {@code key=value} arguments; {@code config:key=value} tokens (Kindling's
   * own, or parameters in the Python form) are read too, plain ones win.
   */
  static Map<String, String> parameters(String[] args) {
    Map<String, String> plain = new LinkedHashMap<>();
    Map<String, String> config = new LinkedHashMap<>();
    for (String a : args) {
      boolean prefixed = a.startsWith("config:");
      String token = prefixed ? a.substring("config:".length()) : a;
      int eq = token.indexOf('=');
      if (eq > 0) {
        (prefixed ? config : plain).put(token.substring(0, eq), token.substring(eq + 1));
      }
    }
    config.putAll(plain);
    return config;
  }

  private static List<String> sample() {
    try (InputStream in =
            Objects.requireNonNull(
                WordCount.class.getResourceAsStream("sample.txt"), "sample.txt in the jar");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return r.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
