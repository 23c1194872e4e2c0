package dev.kindling.core.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.spi.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads what runs leave in a platform's artifact store, the same way on every platform: a run's
 * {@code result.json} and the size of the release a run used.
 */
public final class RunFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Release manifests are immutable: their sizes are cached by location. */
  private static final Map<String, Long> RELEASE_BYTES =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
              return size() > 512;
            }
          });

  private RunFiles() {}

  /**
   * The run's {@code result.json}, if it was written yet.
   *
   * @throws KindlingException when the store fails to read an existing file
   */
  public static java.util.Optional<String> resultJson(
      ArtifactStore store, String app, String runTag) {
    String path = RemoteLayout.resultPath(app, runTag);
    try (InputStream in = store.read(path)) {
      return java.util.Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (NotFoundException e) {
      return java.util.Optional.empty();
    } catch (IOException e) {
      throw new KindlingException(
          "reading " + store.locate(path) + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The bytes of a release: the sum of its files' sizes in the release manifest. Empty when the
   * manifest is gone or unreadable (metrics are best effort).
   */
  public static OptionalLong releaseBytes(ArtifactStore store, String app, String release) {
    String path;
    try {
      path = RemoteLayout.releasePath(app, release);
    } catch (IllegalArgumentException e) {
      return OptionalLong.empty();
    }
    String key = store.locate(path);
    Long cached = RELEASE_BYTES.get(key);
    if (cached != null) {
      return OptionalLong.of(cached);
    }
    JsonNode manifest;
    try (InputStream in = store.read(path)) {
      manifest = JSON.readTree(in);
    } catch (NotFoundException | JsonProcessingException e) {
      return OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
    if (manifest == null || !manifest.path("files").isArray()) {
      return OptionalLong.empty();
    }
    long total = 0;
    for (JsonNode f : manifest.path("files")) {
      total += Math.max(0, f.path("size").asLong(0));
    }
    RELEASE_BYTES.put(key, total);
    return OptionalLong.of(total);
  }
}
