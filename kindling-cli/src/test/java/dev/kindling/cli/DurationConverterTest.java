package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void unitsSumsAndIso() {
    assertThat(converter.convert("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(converter.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(converter.convert("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("PT30M")).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void zeroAndNonsenseAreRefused() {
    for (String bad : new String[] {"0s", "90", "1h 30m", "soon", "PTx"}) {
      assertThatThrownBy(() -> converter.convert(bad))
          .isInstanceOf(CommandLine.TypeConversionException.class)
          .hasMessageContaining("is not a duration");
    }
  }
}
