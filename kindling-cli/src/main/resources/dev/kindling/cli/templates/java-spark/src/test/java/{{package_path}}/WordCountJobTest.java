package {{package}};

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The job's logic on a local Spark (Spark is a provided dependency, so it is on the test path). */
class WordCountJobTest {
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void countsWordsMostFrequentFirst() {
    List<Row> rows =
        WordCountJob.countWords(spark.createDataset(List.of("B a, b!", "c b A"), Encoders.STRING()))
            .collectAsList();

    assertEquals(
        List.of("b=3", "a=2", "c=1"),
        rows.stream().map(r -> r.getString(0) + "=" + r.getLong(1)).toList());
  }

  @Test
  void plainParametersWinOverConfigTokens() {
    Map<String, String> p =
        WordCountJob.parameters(
            new String[] {"config:kindling.run=1", "config:top=1", "top=2", "input=/a=b", "x"});

    assertEquals(Map.of("kindling.run", "1", "top", "2", "input", "/a=b"), p);
  }
}
