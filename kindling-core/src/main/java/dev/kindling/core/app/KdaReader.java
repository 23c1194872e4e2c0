package dev.kindling.core.app;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts a {@code .kda} archive into a private temporary directory, rejecting every hostile or
 * broken entry. Nothing is written before every entry name has passed its checks; the sizes are
 * counted while inflating; on any problem the directory is deleted and one {@link
 * ValidationException} lists every rejected entry.
 */
final class KdaReader {
  private static final Logger LOG = LoggerFactory.getLogger(KdaReader.class);

  private static final String TEMP_PREFIX = "kindling-kda-";
  private static final String REPACKAGE =
      "package the app again with KdaArchive.write or `kindling app package`";

  /** What was extracted: the directory, and the bytes of {@code kda-manifest.json} if present. */
  record Extracted(Path dir, Optional<byte[]> manifestJson) {}

  private KdaReader() {}

  /**
   * Extracts {@code archive} into a new directory under {@code tempParent} (the system temp
   * directory when null). Every entry except the top-level {@code kda-manifest.json} is written;
   * directory entries are skipped.
   *
   * @throws ValidationException listing every rejected entry; nothing is left on disk then
   */
  static Extracted extract(Path archive, ArchiveLimits limits, Path tempParent) {
    String label = archive.getFileName().toString();
    List<String> files = checkEntries(archive, label, limits);
    Path dir;
    try {
      dir =
          tempParent == null
              ? Files.createTempDirectory(TEMP_PREFIX)
              : Files.createTempDirectory(tempParent, TEMP_PREFIX);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for " + label, e);
    }
    try {
      Problems problems = new Problems();
      Optional<byte[]> manifest = extractEntries(archive, label, files, limits, dir, problems);
      if (!problems.isEmpty()) {
        deleteTree(dir);
        problems.throwIfAny();
      }
      LOG.debug("extracted {} entries of {} into {}", files.size(), archive, dir);
      return new Extracted(dir, manifest);
    } catch (RuntimeException | Error e) {
      deleteTree(dir);
      throw e;
    }
  }

  /** Checks the central directory; returns the names of the file entries to extract, in order. */
  private static List<String> checkEntries(Path archive, String label, ArchiveLimits limits) {
    CentralDirectory.Listing listing;
    try {
      listing = CentralDirectory.read(archive, limits.maxEntries());
    } catch (CentralDirectory.FormatException e) {
      throw new ValidationException(
          Problem.of(
              label,
              "is not a valid .kda: " + e.getMessage(),
              "a .kda is a zip archive; " + REPACKAGE));
    } catch (IOException e) {
      throw new ValidationException(
          Problem.of(label, "cannot be read: " + e, "check that the file exists and is readable"));
    }
    if (listing.declaredEntries() > limits.maxEntries()) {
      throw new ValidationException(
          Problem.of(
              label,
              "has "
                  + listing.declaredEntries()
                  + " entries, more than the limit of "
                  + limits.maxEntries(),
              "check the archive; if it is right, raise ArchiveLimits.maxEntries"));
    }

    Problems problems = new Problems();
    Set<String> names = new HashSet<>();
    Map<String, String> fileKeys = new HashMap<>();
    List<String> files = new ArrayList<>();
    long declaredTotal = 0;
    for (CentralDirectory.Entry e : listing.entries()) {
      Optional<String> decoded = PathNames.decodeUtf8(e.rawName());
      if (decoded.isEmpty()) {
        problems.add(
            label + ": " + PathNames.printable(e.rawName()),
            "the entry name is not valid UTF-8",
            "write the archive with UTF-8 names, as Kindling, Python's zipfile and jar do");
        continue;
      }
      String name = decoded.get();
      String location = label + ": " + PathNames.printable(name);
      boolean directory = name.endsWith("/");
      String path = directory ? name.substring(0, name.length() - 1) : name;
      Optional<String> unsafe = PathNames.unsafeReason(path);
      if (unsafe.isPresent()) {
        problems.add(location, "unsafe entry name: " + unsafe.get(), REPACKAGE);
        continue;
      }
      if (e.isSymlink()) {
        problems.add(
            location,
            "is a symbolic link; archives may hold only regular files",
            "store the file itself instead of a link to it");
        continue;
      }
      if ((e.flags() & 1) != 0) {
        problems.add(location, "is encrypted", "store the entry without encryption");
        continue;
      }
      if (directory) {
        continue;
      }
      if (!names.add(name)) {
        problems.add(location, "appears more than once in the archive", REPACKAGE);
        continue;
      }
      String other = fileKeys.putIfAbsent(PathNames.collisionKey(name), name);
      if (other != null) {
        problems.add(
            location,
            "differs from the entry '"
                + PathNames.printable(other)
                + "' only in letter case or Unicode form; one would overwrite the other on"
                + " Windows and macOS",
            "rename one of them");
        continue;
      }
      files.add(name);
      if (e.size() > limits.maxEntryBytes()) {
        problems.add(
            location,
            "declares "
                + e.size()
                + " bytes once expanded, more than "
                + limits.maxEntryBytes()
                + " bytes, the per-entry limit",
            "check the archive; if it is right, raise ArchiveLimits.maxEntryBytes");
      } else if (e.size() > 0) {
        declaredTotal += e.size();
      }
    }
    if (declaredTotal > limits.maxTotalBytes()) {
      // checked again while inflating (a declared size can lie), but an archive that says it is
      // too big is refused before a single byte is written
      problems.add(
          label,
          "declares "
              + declaredTotal
              + " bytes in total once expanded, more than "
              + limits.maxTotalBytes()
              + " bytes, the limit",
          "check the archive; if it is right, raise ArchiveLimits.maxTotalBytes");
    }
    for (String file : files) {
      for (int i = file.indexOf('/'); i > 0; i = file.indexOf('/', i + 1)) {
        String parent = file.substring(0, i);
        String clash = fileKeys.get(PathNames.collisionKey(parent));
        if (clash != null) {
          problems.add(
              label + ": " + PathNames.printable(file),
              "needs a directory '"
                  + PathNames.printable(parent)
                  + "', but the archive also has a file '"
                  + PathNames.printable(clash)
                  + "'",
              "rename the file or the directory");
          break;
        }
      }
    }
    problems.throwIfAny();
    return files;
  }

  private static Optional<byte[]> extractEntries(
      Path archive,
      String label,
      List<String> files,
      ArchiveLimits limits,
      Path dir,
      Problems problems) {
    byte[] manifest = null;
    long total = 0;
    try (ZipFile zip = new ZipFile(archive.toFile(), StandardCharsets.UTF_8)) {
      for (String name : files) {
        String location = label + ": " + PathNames.printable(name);
        ZipEntry entry = zip.getEntry(name);
        if (entry == null || entry.isDirectory() || !entry.getName().equals(name)) {
          problems.add(location, "cannot be found in the archive", REPACKAGE);
          continue;
        }
        boolean isManifest = name.equals(FileSelection.KDA_MANIFEST);
        Path target = null;
        OutputStream out;
        try {
          if (isManifest) {
            out = new ByteArrayOutputStream();
          } else {
            target = dir.resolve(name).normalize();
            if (!target.startsWith(dir) || target.equals(dir)) {
              problems.add(location, "would be written outside the app directory", REPACKAGE);
              continue;
            }
            Files.createDirectories(target.getParent());
            out =
                Files.newOutputStream(
                    target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          }
        } catch (InvalidPathException e) {
          problems.add(location, "is not a valid file name on this system", "rename the file");
          continue;
        }
        Copied copied;
        try (OutputStream o = out;
            InputStream in = zip.getInputStream(entry)) {
          copied = copy(in, o, entry, total, limits, isManifest);
        } catch (IOException e) {
          problems.add(location, "cannot be read: " + describe(e), REPACKAGE);
          deleteQuietly(target);
          continue;
        }
        total += copied.bytes();
        if (copied.violation() != null) {
          deleteQuietly(target);
          switch (copied.violation()) {
            case ENTRY_SIZE:
              problems.add(
                  location,
                  "expands to more than " + limits.maxEntryBytes() + " bytes, the per-entry limit",
                  "check the archive; if it is right, raise ArchiveLimits.maxEntryBytes");
              continue;
            case RATIO:
              problems.add(
                  location,
                  String.format(
                      Locale.ROOT,
                      "has a compression ratio above %s (%d compressed bytes expand to more than"
                          + " %d); this looks like a zip bomb",
                      ratio(limits.maxCompressionRatio()),
                      entry.getCompressedSize(),
                      copied.bytes()),
                  "check the archive; if it is right, raise ArchiveLimits.maxCompressionRatio");
              continue;
            case MANIFEST_SIZE:
              problems.add(
                  location,
                  "is larger than " + AppManifests.MAX_MANIFEST_BYTES + " bytes",
                  REPACKAGE);
              continue;
            case TOTAL_SIZE:
            default:
              problems.add(
                  label,
                  "expands to more than "
                      + limits.maxTotalBytes()
                      + " bytes in total, the limit (reached at entry '"
                      + PathNames.printable(name)
                      + "')",
                  "check the archive; if it is right, raise ArchiveLimits.maxTotalBytes");
              return Optional.empty();
          }
        }
        if (entry.getCrc() != -1 && entry.getCrc() != copied.crc()) {
          problems.add(location, "is corrupt: its CRC-32 does not match its content", REPACKAGE);
        } else if (entry.getSize() != -1 && entry.getSize() != copied.bytes()) {
          problems.add(
              location,
              "declares "
                  + entry.getSize()
                  + " bytes but expands to "
                  + copied.bytes()
                  + "; the archive is corrupt or forged",
              REPACKAGE);
        } else if (isManifest) {
          manifest = ((ByteArrayOutputStream) out).toByteArray();
        }
      }
    } catch (ZipException | IllegalArgumentException e) {
      problems.add(label, "cannot be opened as a zip archive: " + describe(e), REPACKAGE);
    } catch (IOException e) {
      problems.add(label, "cannot be extracted: " + e, "check the disk space and permissions");
    }
    return Optional.ofNullable(manifest);
  }

  private enum Violation {
    ENTRY_SIZE,
    TOTAL_SIZE,
    RATIO,
    MANIFEST_SIZE
  }

  private record Copied(long bytes, long crc, Violation violation) {}

  /** Copies, counting the bytes actually inflated; stops at the first limit passed. */
  private static Copied copy(
      InputStream in,
      OutputStream out,
      ZipEntry entry,
      long totalBefore,
      ArchiveLimits limits,
      boolean isManifest)
      throws IOException {
    CRC32 crc = new CRC32();
    byte[] buffer = new byte[AppFile.BUFFER_SIZE];
    long compressed = Math.max(1, entry.getCompressedSize());
    long n = 0;
    for (int r; (r = in.read(buffer)) != -1; ) {
      long next = n + r;
      Violation v = null;
      if (next > limits.maxEntryBytes()) {
        v = Violation.ENTRY_SIZE;
      } else if (totalBefore + next > limits.maxTotalBytes()) {
        v = Violation.TOTAL_SIZE;
      } else if (next > ArchiveLimits.RATIO_CHECK_MIN_BYTES
          && next > limits.maxCompressionRatio() * compressed) {
        v = Violation.RATIO;
      } else if (isManifest && next > AppManifests.MAX_MANIFEST_BYTES) {
        v = Violation.MANIFEST_SIZE;
      }
      if (v != null) {
        return new Copied(next, crc.getValue(), v);
      }
      out.write(buffer, 0, r);
      crc.update(buffer, 0, r);
      n = next;
    }
    return new Copied(n, crc.getValue(), null);
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String ratio(double r) {
    return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", file, e.toString());
    }
  }

  /** Deletes {@code dir} and everything in it, never following links. Logs what it cannot. */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
              if (!(exc instanceof NoSuchFileException)) {
                Files.deleteIfExists(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("could not delete the temporary directory {}: {}", dir, e.toString());
    }
  }
}
