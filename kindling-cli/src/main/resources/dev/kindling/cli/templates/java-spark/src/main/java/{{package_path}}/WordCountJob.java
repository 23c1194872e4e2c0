package {{package}};

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.split;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {{name}}: counts the words of {@code input=PATH} (a text file; default: a sample text), prints
 * the {@code top=N} most frequent (default 10). Run parameters arrive in {@code main} as {@code
 * key=value} arguments after Kindling's own {@code config:kindling.*} tokens.
 */
public final class WordCountJob {
  static final List<String> SAMPLE =
      List.of(
          "the quick brown fox jumps over the lazy dog", "the dog sleeps and the fox runs");

  private WordCountJob() {}

  public static void main(String[] args) {
    Map<String, String> params = parameters(args);
    int top = Integer.parseInt(params.getOrDefault("top", "10"));
    SparkSession spark = SparkSession.builder().appName("{{name}}").getOrCreate();
    try {
      Dataset<String> lines =
          params.containsKey("input")
              ? spark.read().textFile(params.get("input"))
              : spark.createDataset(SAMPLE, Encoders.STRING());
      for (Row r : countWords(lines).limit(top).collectAsList()) {
        System.out.println(r.getString(0) + "\t" + r.getLong(1));
      }
      System.out.println("done");
    } finally {
      spark.stop();
    }
  }

  /** (word, count) for the words of {@code lines}, most frequent first, ties alphabetical. */
  static Dataset<Row> countWords(Dataset<String> lines) {
    return lines
        .select(explode(split(lower(col("value")), "[^\\p{L}\\p{N}']+")).as("word"))
        .filter(length(col("word")).gt(0))
        .groupBy("word")
        .count()
        .orderBy(col("count").desc(), col("word").asc());
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
}
