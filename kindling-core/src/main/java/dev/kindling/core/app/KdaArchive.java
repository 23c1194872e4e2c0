package dev.kindling.core.app;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.error.KindlingException;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code .kda} archives: zip files (deflate) holding an app's selected files plus a {@code
 * kda-manifest.json}, compatible with Python Kindling.
 *
 * <p>Reading is done by {@link DataApp#load(Path, LoadOptions)}, which accepts archives with and
 * without {@code kda-manifest.json} and rejects, with a problem naming each entry and the reason:
 * names with {@code ..}, {@code .} or empty segments, absolute names (leading {@code /} or {@code
 * \}), drive letters, backslashes, {@code :} or control characters; names that are not UTF-8;
 * symlink entries; encrypted entries; duplicate names, also when they differ only in letter case; a
 * file whose name is also used as a directory; entries that expand beyond {@link
 * ArchiveLimits#maxEntryBytes()}, archives beyond {@link ArchiveLimits#maxTotalBytes()} (both
 * counted while inflating) or with more than {@link ArchiveLimits#maxEntries()} entries; entries
 * whose compression ratio exceeds {@link ArchiveLimits#maxCompressionRatio()}; entries whose
 * content does not match their CRC-32 or declared size; and files that are not zip archives.
 * Directory entries are skipped.
 */
public final class KdaArchive {
  private static final Logger LOG = LoggerFactory.getLogger(KdaArchive.class);

  /** The {@code kda_version} written. */
  public static final String KDA_VERSION = "1.0";

  /** The file name suffix of archives. */
  public static final String SUFFIX = ".kda";

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private KdaArchive() {}

  /**
   * Writes {@code app} as a {@code .kda}, with {@code created_at} from the system clock.
   *
   * @see #write(DataApp, Path, Clock)
   */
  public static Path write(DataApp app, Path target) {
    return write(app, target, Clock.systemUTC());
  }

  /**
   * Writes {@code app} as a {@code .kda}: every file of {@link DataApp#files()} plus {@code
   * kda-manifest.json}, entries sorted by name. The archive is written to a temporary file next to
   * the target and then moved into place, atomically where the file system allows, so the target is
   * never seen half written. An existing target is replaced.
   *
   * <p>{@code kda-manifest.json} has Python Kindling's fields {@code name}, {@code version}, {@code
   * description}, {@code entry_point}, {@code dependencies}, {@code lake_requirements} (the lines
   * of {@code lake-reqs.txt} that are neither blank nor comments), {@code environment}, {@code
   * metadata}, {@code created_at} and {@code kda_version}, plus {@code runtime}, {@code main_class}
   * and {@code jars} for JVM apps.
   *
   * @param app the app
   * @param target the archive file, or an existing directory to write {@code <name>-v<version>.kda}
   *     into
   * @param clock gives {@code created_at} and the entries' time stamps
   * @return the archive written
   * @throws KindlingException when the archive cannot be written, or a file changed since the app
   *     was loaded
   */
  public static Path write(DataApp app, Path target, Clock clock) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(clock, "clock");
    Path out = target.toAbsolutePath().normalize();
    if (Files.isDirectory(out)) {
      out = out.resolve(defaultFileName(app.manifest()));
    }
    Instant createdAt = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Path parent = out.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(parent);
      tmp = Files.createTempFile(parent, "." + out.getFileName(), ".tmp");
      byte[] manifest = manifestJson(app, createdAt);
      writeZip(app, tmp, manifest, createdAt);
      move(tmp, out);
      LOG.debug("wrote {} ({} files)", out, app.files().size());
      return out;
    } catch (IOException e) {
      throw new KindlingException("cannot write " + out + ": " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.warn("could not delete {}: {}", tmp, e.toString());
        }
      }
    }
  }

  /** {@code <name>-v<version>.kda}, as Python Kindling names archives. */
  static String defaultFileName(AppManifest manifest) {
    String version = manifest.version().replaceAll("[^A-Za-z0-9._+-]", "_");
    return manifest.name() + "-v" + version + SUFFIX;
  }

  private static void writeZip(DataApp app, Path tmp, byte[] manifest, Instant createdAt)
      throws IOException {
    Map<String, AppFile> entries = new TreeMap<>();
    for (AppFile f : app.files()) {
      entries.put(f.path(), f);
    }
    LocalDateTime time = LocalDateTime.ofInstant(createdAt, ZoneOffset.UTC);
    boolean manifestWritten = false;
    try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
        ZipOutputStream zip =
            new ZipOutputStream(new BufferedOutputStream(fos, AppFile.BUFFER_SIZE))) {
      zip.setMethod(ZipOutputStream.DEFLATED);
      for (Map.Entry<String, AppFile> e : entries.entrySet()) {
        if (!manifestWritten && e.getKey().compareTo(FileSelection.KDA_MANIFEST) > 0) {
          putManifest(zip, manifest, time);
          manifestWritten = true;
        }
        putFile(zip, e.getValue(), time);
      }
      if (!manifestWritten) {
        putManifest(zip, manifest, time);
      }
      zip.finish();
      zip.flush();
      fos.getChannel().force(true);
    }
  }

  private static void putManifest(ZipOutputStream zip, byte[] manifest, LocalDateTime time)
      throws IOException {
    ZipEntry entry = new ZipEntry(FileSelection.KDA_MANIFEST);
    entry.setTimeLocal(time);
    zip.putNextEntry(entry);
    zip.write(manifest);
    zip.closeEntry();
  }

  private static void putFile(ZipOutputStream zip, AppFile file, LocalDateTime time)
      throws IOException {
    ZipEntry entry = new ZipEntry(file.path());
    entry.setTimeLocal(time);
    zip.putNextEntry(entry);
    MessageDigest md = AppFile.newSha256();
    long size;
    try (InputStream in = new DigestInputStream(file.open(), md)) {
      size = in.transferTo(zip);
    }
    zip.closeEntry();
    String sha = HexFormat.of().formatHex(md.digest());
    if (size != file.size() || !sha.equals(file.sha256())) {
      throw new KindlingException(
          file.path()
              + " changed after the app was loaded (now "
              + size
              + " bytes, sha256 "
              + sha
              + "); load the app again and repeat");
    }
  }

  private static void move(Path tmp, Path out) throws IOException {
    try {
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      LOG.debug("atomic move not supported for {}, moving without", out);
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The JSON of {@code kda-manifest.json}, pretty printed like Python's {@code json.dump}. */
  static byte[] manifestJson(DataApp app, Instant createdAt) throws IOException {
    AppManifest m = app.manifest();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", m.name());
    json.put("version", m.version());
    json.put("description", m.description());
    json.put("entry_point", m.entryPoint());
    json.put("dependencies", m.dependencies());
    json.put("lake_requirements", lakeRequirements(app));
    json.put("environment", m.environment());
    json.put("metadata", m.metadata());
    json.put("created_at", createdAt.toString());
    json.put("kda_version", KDA_VERSION);
    if (m.runtime() == AppFiles.Runtime.JVM) {
      json.put("runtime", "jvm");
      json.put("main_class", m.mainClass().orElse(null));
      json.put("jars", m.jars());
    }
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""));
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    byte[] body = JSON.writer(printer).writeValueAsBytes(json);
    byte[] out = new byte[body.length + 1];
    System.arraycopy(body, 0, out, 0, body.length);
    out[body.length] = '\n';
    return out;
  }

  /** The lines of the app's top-level {@code lake-reqs.txt} that are neither blank nor comments. */
  static List<String> lakeRequirements(DataApp app) throws IOException {
    List<String> out = new ArrayList<>();
    var file = app.file("lake-reqs.txt");
    if (file.isEmpty()) {
      return out;
    }
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(file.get().open(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        String s = line.strip();
        if (!s.isEmpty() && !s.startsWith("#")) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
