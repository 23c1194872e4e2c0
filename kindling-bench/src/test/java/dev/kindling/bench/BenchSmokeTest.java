package dev.kindling.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's smoke mode, run in CI: small sizes, and only deterministic properties are checked
 * (an unchanged redeploy uploads nothing, a one-file change uploads one blob, the memory scenario's
 * child JVM does not run out of memory). Timings are printed, never asserted.
 */
class BenchSmokeTest {
  @Test
  void smokeRunChecksTheDeterministicProperties() throws Exception {
    Bench bench = new Bench(Bench.Options.smoke(Path.of("target")));
    List<Bench.Row> rows = bench.run();
    System.out.println(Bench.table(rows));
    bench.writeJson();

    List<Bench.Row> redeploys = rows.stream().filter(r -> r.scenario().startsWith("2 ")).toList();
    assertThat(redeploys).hasSize(3);
    for (Bench.Row r : redeploys) {
      assertThat(r.details().get("bytes_uploaded"))
          .as(r.platform() + " " + r.details())
          .isEqualTo(0L);
      assertThat((Integer) r.details().get("requests"))
          .as(r.platform() + " " + r.details())
          .isLessThanOrEqualTo(6);
    }
    for (Bench.Row r : rows.stream().filter(r -> r.scenario().startsWith("3 ")).toList()) {
      assertThat(r.details().get("files_uploaded"))
          .as(r.platform() + " " + r.details())
          .isEqualTo(1);
    }
    Bench.Row memory =
        rows.stream().filter(r -> r.scenario().startsWith("4 ")).findFirst().orElseThrow();
    assertThat(memory.details().get("out_of_memory"))
        .as(memory.details().toString())
        .isEqualTo(false);
    assertThat(memory.met()).as(memory.details().toString()).isTrue();
    assertThat(rows.stream().filter(r -> r.scenario().startsWith("5 ")).count()).isEqualTo(3);
  }
}
