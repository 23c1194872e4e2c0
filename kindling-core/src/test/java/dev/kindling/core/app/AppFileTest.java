package dev.kindling.core.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppFileTest {
  @TempDir Path dir;

  @Test
  void hashesAndStreamsTheSourceFile() throws IOException {
    Path source = TestFiles.write(dir, "pkg/util.py", "X = 1\n");
    AppFile f = AppFile.of("pkg/util.py", source);
    assertThat(f.path()).isEqualTo("pkg/util.py");
    assertThat(f.fileName()).isEqualTo("util.py");
    assertThat(f.size()).isEqualTo(6);
    assertThat(f.sha256()).isEqualTo(TestFiles.sha256("X = 1\n"));
    assertThat(f.source()).isEqualTo(source);
    try (InputStream in = f.open()) {
      assertThat(in.readAllBytes()).asString().isEqualTo("X = 1\n");
    }
  }

  @Test
  void hashesAnEmptyFile() throws IOException {
    AppFile f = AppFile.of("empty.py", TestFiles.write(dir, "empty.py", ""));
    assertThat(f.size()).isZero();
    assertThat(f.sha256())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  /**
   * A 300 MiB sparse file (no real disk space) hashes while allocating a small fraction of its
   * size: the content is streamed, never read whole.
   */
  @Test
  void hashesALargeFileWhileStreaming() throws IOException {
    Path big = dir.resolve("big.whl");
    try (RandomAccessFile raf = new RandomAccessFile(big.toFile(), "rw")) {
      raf.setLength(300L << 20);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    assumeTrue(threads instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean hotspot = (com.sun.management.ThreadMXBean) threads;
    long before = hotspot.getCurrentThreadAllocatedBytes();
    AppFile f = AppFile.of("big.whl", big);
    long allocated = hotspot.getCurrentThreadAllocatedBytes() - before;
    assertThat(allocated).isLessThan(16L << 20);
    assertThat(f.size()).isEqualTo(300L << 20);
    // sha256 of 314572800 zero bytes (head -c 314572800 /dev/zero | sha256sum)
    assertThat(f.sha256())
        .isEqualTo("17a88af83717f68b8bd97873ffcf022c8aed703416fe9b08e0fa9e3287692bf0");
  }

  @Test
  void rejectsUnsafePathsAndBadHashes() {
    Path p = dir.resolve("x");
    String sha = "0".repeat(64);
    assertThatThrownBy(() -> new AppFile("../x.py", 1, sha, p)).hasMessageContaining("'..'");
    assertThatThrownBy(() -> new AppFile("/x.py", 1, sha, p)).hasMessageContaining("absolute");
    assertThatThrownBy(() -> new AppFile("a\\x.py", 1, sha, p)).hasMessageContaining("backslash");
    assertThatThrownBy(() -> new AppFile("x.py", -1, sha, p)).hasMessageContaining("negative");
    assertThatThrownBy(() -> new AppFile("x.py", 1, "ABC", p)).hasMessageContaining("SHA-256");
    assertThat(new AppFile("x.py", 1, sha, p)).isEqualTo(new AppFile("x.py", 1, sha, p));
  }
}
