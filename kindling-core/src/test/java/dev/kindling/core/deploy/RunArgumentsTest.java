package dev.kindling.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunArgumentsTest {
  @Test
  void readsBackWhatBootstrapShimArgumentsWrite() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("greeting", "a=b");
    params.put("empty", "");
    RunArguments a =
        RunArguments.parse(BootstrapShim.arguments("abfss://c@a/root", "app", "r1", "t1", params));

    assertThat(a.root()).contains("abfss://c@a/root");
    assertThat(a.app()).contains("app");
    assertThat(a.release()).contains("r1");
    assertThat(a.runTag()).contains("t1");
    assertThat(a.parameters())
        .containsExactly(Map.entry("greeting", "a=b"), Map.entry("empty", ""));
  }

  @Test
  void readsJvmArgumentsAndACommandLine() {
    RunArguments jvm =
        RunArguments.parse(
            BootstrapShim.jvmArguments("/root", "app", "r1", "t1", Map.of("n", "1")));
    RunArguments line =
        RunArguments.parse(
            "  config:app_name=app   config:kindling.release=r2 'config:x=1' n=2 junk ");

    assertThat(jvm.parameters()).containsExactly(Map.entry("n", "1"));
    assertThat(line.app()).contains("app");
    assertThat(line.release()).contains("r2");
    assertThat(line.root()).isEmpty();
    assertThat(line.parameters()).containsExactly(Map.entry("x", "1"), Map.entry("n", "2"));
  }

  @Test
  void protocolKeysKeepTheFirstValueAndParametersTheLast() {
    RunArguments a =
        RunArguments.parse(
            List.of(
                "config:kindling.release=first",
                "config:kindling.release=second",
                "config:k=default",
                "config:k=override"));

    assertThat(a.release()).contains("first");
    assertThat(a.parameters()).containsExactly(Map.entry("k", "override"));
    assertThat(RunArguments.parse("").app()).isEmpty();
  }
}
