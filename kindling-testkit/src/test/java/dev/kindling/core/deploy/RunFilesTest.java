package dev.kindling.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.InMemoryArtifactStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunFilesTest {
  private final InMemoryArtifactStore store =
      new InMemoryArtifactStore("mem://" + UUID.randomUUID());

  private void put(String path, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    store.upload(path, new ByteArrayInputStream(b), b.length);
  }

  @Test
  void releaseBytesSumTheManifestsFileSizesAndAreCached() {
    put(
        RemoteLayout.releasePath("app", "r1"),
        "{\"files\": [{\"path\": \"a.py\", \"size\": 100}, {\"path\": \"b.whl\", \"size\": 2048}]}");

    assertThat(RunFiles.releaseBytes(store, "app", "r1")).hasValue(2148);
    store.delete(RemoteLayout.releasePath("app", "r1"));
    // a release never changes: the size is remembered
    assertThat(RunFiles.releaseBytes(store, "app", "r1")).hasValue(2148);
  }

  @Test
  void aMissingOrUnreadableManifestHasNoSize() {
    put(RemoteLayout.releasePath("app", "broken"), "{not json");

    assertThat(RunFiles.releaseBytes(store, "app", "missing")).isEmpty();
    assertThat(RunFiles.releaseBytes(store, "app", "broken")).isEmpty();
    assertThat(RunFiles.releaseBytes(store, "app", "../escape")).isEmpty();
  }

  @Test
  void resultJsonIsTheFileWhenItExists() {
    put(RemoteLayout.resultPath("app", "t1"), "{\"state\": \"SUCCEEDED\"}");

    assertThat(RunFiles.resultJson(store, "app", "t1")).contains("{\"state\": \"SUCCEEDED\"}");
    assertThat(RunFiles.resultJson(store, "app", "t2")).isEmpty();
  }
}
