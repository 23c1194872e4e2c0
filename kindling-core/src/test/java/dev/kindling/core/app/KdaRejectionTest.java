package dev.kindling.core.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.ValidationException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every way a hostile or broken {@code .kda} is rejected, with nothing left on disk. */
class KdaRejectionTest {
  @TempDir Path tmp;
  private Path extractParent;

  @BeforeEach
  void setUp() throws IOException {
    extractParent = Files.createDirectories(tmp.resolve("extract"));
  }

  @AfterEach
  void nothingIsLeftBehind() throws IOException {
    try (Stream<Path> s = Files.list(extractParent)) {
      assertThat(s).isEmpty();
    }
  }

  private static RawZip validApp() {
    return new RawZip().file("app.yaml", "name: a\n").file("app.py", "print(1)\n");
  }

  private ValidationException rejected(Path kda) {
    return rejected(kda, ArchiveLimits.defaults());
  }

  private ValidationException rejected(Path kda, ArchiveLimits limits) {
    return (ValidationException)
        assertThatThrownBy(
                () -> DataApp.load(kda, LoadOptions.defaults().withLimits(limits), extractParent))
            .isInstanceOf(ValidationException.class)
            .actual();
  }

  private ValidationException rejected(RawZip zip) throws IOException {
    return rejected(zip.writeTo(tmp.resolve("bad.kda")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "../evil.py              | '..' segment",
        "a/../../evil.py         | '..' segment",
        "pkg/..                  | '..' segment",
        "/etc/evil.py            | absolute path (leading '/')",
        "\\evil.py               | absolute path (leading '\\')",
        "C:/evil.py              | drive letter ('C:')",
        "c:evil.py               | drive letter ('c:')",
        "pkg\\evil.py            | backslash",
        "a//b.py                 | empty path segment",
        "./a.py                  | '.' segment",
        "a/./b.py                | '.' segment",
        "pkg/a:b.py              | contains ':'",
      })
  void unsafeNamesAreRejected(String name, String reason) throws IOException {
    ValidationException e = rejected(validApp().file(name, "x"));
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).location()).isEqualTo("bad.kda: " + name);
    assertThat(e.getMessage()).contains("unsafe entry name", reason);
  }

  @Test
  void controlCharactersAreRejectedAndEscaped() throws IOException {
    ValidationException e = rejected(validApp().file("a\nb.py", "x"));
    assertThat(e.getMessage()).contains("bad.kda: a\\u000Ab.py", "control character");
  }

  @Test
  void unsafeDirectoryEntriesAreRejectedToo() throws IOException {
    assertThat(rejected(validApp().dir("../up/")).getMessage()).contains("bad.kda: ../up/");
  }

  @Test
  void directoryEntriesAreSkipped() throws IOException {
    Path kda =
        validApp()
            .dir("pkg/")
            .dir("pkg/sub/")
            .file("pkg/mod.py", "x")
            .writeTo(tmp.resolve("ok.kda"));
    try (DataApp app = DataApp.load(kda, LoadOptions.defaults(), extractParent)) {
      assertThat(app.files()).extracting(AppFile::path).contains("pkg/mod.py");
    }
  }

  @Test
  void symlinkEntriesAreRejected() throws IOException {
    ValidationException e = rejected(validApp().symlink("link.py", "/etc/passwd"));
    assertThat(e.problems()).extracting(Problem::location).containsExactly("bad.kda: link.py");
    assertThat(e.getMessage()).contains("is a symbolic link");
  }

  @Test
  void encryptedEntriesAreRejected() throws IOException {
    assertThat(rejected(validApp().encrypted("secret.py", "x")).getMessage())
        .contains("bad.kda: secret.py", "is encrypted");
  }

  @Test
  void duplicateNamesAreRejected() throws IOException {
    ValidationException e = rejected(validApp().file("app.py", "print(2)\n"));
    assertThat(e.getMessage()).contains("bad.kda: app.py", "appears more than once");
  }

  @Test
  void namesDifferingOnlyInCaseAreRejected() throws IOException {
    ValidationException e = rejected(validApp().file("App.py", "x"));
    assertThat(e.getMessage()).contains("bad.kda: App.py", "differs from the entry 'app.py'");
  }

  @Test
  void namesDifferingOnlyInUnicodeFormAreRejected() throws IOException {
    ValidationException e =
        rejected(validApp().file("caf\u00e9.py", "x").file("cafe\u0301.py", "y"));
    assertThat(e.getMessage()).contains("only in letter case or Unicode form");
  }

  @Test
  void aFileUsedAsADirectoryIsRejected() throws IOException {
    ValidationException e = rejected(validApp().file("lib", "x").file("lib/mod.py", "y"));
    assertThat(e.getMessage()).contains("bad.kda: lib/mod.py", "needs a directory 'lib'");
  }

  @Test
  void namesThatAreNotUtf8AreRejected() throws IOException {
    Path kda = tmp.resolve("latin1.kda");
    try (ZipOutputStream zip =
        new ZipOutputStream(Files.newOutputStream(kda), StandardCharsets.ISO_8859_1)) {
      for (String name : new String[] {"app.py", "caf\u00e9.py"}) {
        zip.putNextEntry(new ZipEntry(name));
        zip.write("x".getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    ValidationException e = rejected(kda);
    assertThat(e.problems())
        .extracting(Problem::location)
        .containsExactly("latin1.kda: caf\\xE9.py");
    assertThat(e.getMessage()).contains("not valid UTF-8");
  }

  @Test
  void rawNonUtf8NameBytesAreRejected() throws IOException {
    byte[] name = {'b', 'a', 'd', (byte) 0xFF, (byte) 0xFE, '.', 'p', 'y'};
    ValidationException e = rejected(validApp().rawName(name, "x"));
    assertThat(e.getMessage()).contains("bad.kda: bad\\xFF\\xFE.py", "not valid UTF-8");
  }

  @Test
  void everyRejectedEntryIsListed() throws IOException {
    ValidationException e =
        rejected(
            validApp()
                .file("../a.py", "x")
                .symlink("b.py", "/etc/passwd")
                .file("/c.py", "x")
                .file("app.py", "dup"));
    assertThat(e.problems())
        .extracting(Problem::location)
        .containsExactly("bad.kda: ../a.py", "bad.kda: b.py", "bad.kda: /c.py", "bad.kda: app.py");
    assertThat(e.getMessage()).startsWith("4 problems:");
  }

  @Test
  void tooManyEntriesAreRejected() throws IOException {
    RawZip zip = validApp();
    for (int i = 0; i < 5; i++) {
      zip.file("m" + i + ".py", "x");
    }
    ValidationException e =
        rejected(zip.writeTo(tmp.resolve("many.kda")), ArchiveLimits.defaults().withMaxEntries(5));
    assertThat(e.getMessage()).contains("many.kda", "has 7 entries, more than the limit of 5");
  }

  /** More than 65,535 entries make a zip64 archive; its entry count is read from the zip64 end. */
  @Test
  void zip64EntryCountsAreRead() throws Exception {
    Path kda = tmp.resolve("zip64.kda");
    try (ZipOutputStream zip =
        new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(kda), 1 << 16))) {
      zip.setMethod(ZipOutputStream.STORED);
      for (int i = 0; i < 65_536; i++) {
        ZipEntry e = new ZipEntry(Integer.toString(i));
        e.setSize(0);
        e.setCompressedSize(0);
        e.setCrc(0);
        zip.putNextEntry(e);
        zip.closeEntry();
      }
    }
    assertThat(CentralDirectory.read(kda, 70_000).entries()).hasSize(65_536);
    assertThat(rejected(kda).getMessage())
        .contains("zip64.kda: has 65536 entries, more than the limit of 10000");
  }

  @Test
  void anEntryLargerThanTheLimitIsRejected() throws IOException {
    Path kda = validApp().file("big.py", new byte[5000]).writeTo(tmp.resolve("big.kda"));
    ValidationException e = rejected(kda, ArchiveLimits.defaults().withMaxEntryBytes(4096));
    assertThat(e.problems()).extracting(Problem::location).containsExactly("big.kda: big.py");
    assertThat(e.getMessage())
        .contains("declares 5000 bytes once expanded, more than 4096 bytes, the per-entry limit");
  }

  @Test
  void declaredSizesAreNotTrusted() throws IOException {
    Path kda = validApp().lying("big.py", new byte[5000], 10).writeTo(tmp.resolve("liar.kda"));
    assertThat(rejected(kda, ArchiveLimits.defaults().withMaxEntryBytes(4096)).getMessage())
        .contains("liar.kda: big.py", "expands to more than 4096 bytes");
    assertThat(rejected(kda).getMessage())
        .contains("liar.kda: big.py", "declares 10 bytes but expands to 5000");
  }

  @Test
  void archivesLargerThanTheTotalLimitAreRejected() throws IOException {
    Path kda =
        validApp()
            .file("a.py", new byte[1500])
            .file("b.py", new byte[1500])
            .file("c.py", new byte[1500])
            .writeTo(tmp.resolve("total.kda"));
    ValidationException e = rejected(kda, ArchiveLimits.defaults().withMaxTotalBytes(3000));
    // refused from the declared sizes, before anything is extracted
    assertThat(e.getMessage())
        .contains("total.kda: declares ", " bytes in total once expanded, more than 3000 bytes");
  }

  @Test
  void archivesThatLieAboutTheirTotalSizeAreStoppedWhileExpanding() throws IOException {
    Path kda =
        validApp()
            .lying("a.py", new byte[1500], 10)
            .lying("b.py", new byte[1500], 10)
            .lying("c.py", new byte[1500], 10)
            .writeTo(tmp.resolve("total.kda"));
    ValidationException e = rejected(kda, ArchiveLimits.defaults().withMaxTotalBytes(3000));
    assertThat(e.getMessage())
        .contains("total.kda: expands to more than 3000 bytes in total", "at entry 'b.py'");
  }

  /** 50 MB of zeros deflate to about 50 KB: a ratio of about 1000. */
  @Test
  void zipBombsAreRejected() throws IOException {
    Path kda = tmp.resolve("bomb.kda");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(kda))) {
      zip.putNextEntry(new ZipEntry("app.yaml"));
      zip.write("name: bomb\n".getBytes(StandardCharsets.UTF_8));
      zip.putNextEntry(new ZipEntry("app.py"));
      writeZeros(zip, 50L << 20);
      zip.closeEntry();
    }
    assertThat(Files.size(kda)).isLessThan(100_000);
    ValidationException e = rejected(kda);
    assertThat(e.problems()).extracting(Problem::location).containsExactly("bomb.kda: app.py");
    assertThat(e.getMessage()).contains("compression ratio above 200", "zip bomb");
  }

  @Test
  void smallHighlyCompressedEntriesAreFine() throws IOException {
    Path kda = validApp().file("zeros.py", new byte[1 << 20]).writeTo(tmp.resolve("ok.kda"));
    try (DataApp app = DataApp.load(kda, LoadOptions.defaults(), extractParent)) {
      assertThat(app.file("zeros.py").orElseThrow().size()).isEqualTo(1 << 20);
    }
  }

  @Test
  void aFileThatIsNotAZipIsRejected() throws IOException {
    Path kda = Files.writeString(tmp.resolve("text.kda"), "name: not a zip\n".repeat(10));
    assertThat(rejected(kda).getMessage())
        .contains("text.kda: is not a valid .kda", "not a zip archive");
    Path empty = Files.createFile(tmp.resolve("empty.kda"));
    assertThat(rejected(empty).getMessage()).contains("empty.kda: is not a valid .kda");
  }

  @Test
  void aCorruptEntryIsRejected() throws IOException {
    byte[] bytes = validApp().file("data.py", "print('some content here')\n").bytes();
    int at = indexOf(bytes, "print('some".getBytes(StandardCharsets.UTF_8));
    assertThat(at).isNegative(); // deflated, so corrupt the compressed bytes instead
    Path kda = tmp.resolve("corrupt.kda");
    byte[] name = "data.py".getBytes(StandardCharsets.UTF_8);
    int data = indexOf(bytes, name) + name.length;
    bytes[data + 2] ^= 0x55;
    Files.write(kda, bytes);
    assertThat(rejected(kda).getMessage()).contains("corrupt.kda: data.py");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void writeZeros(OutputStream out, long count) throws IOException {
    byte[] zeros = new byte[64 * 1024];
    for (long left = count; left > 0; left -= zeros.length) {
      out.write(zeros, 0, (int) Math.min(zeros.length, left));
    }
  }
}
