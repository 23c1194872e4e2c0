package dev.kindling.local;

import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.StoredFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * An {@link ArtifactStore} in a directory of this machine. Uploads stream into a temporary file
 * beside the target and are renamed into place atomically, so readers never see a partial file.
 */
public final class LocalArtifactStore implements ArtifactStore {
  private final Path root;

  public LocalArtifactStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The directory this store lives in. */
  public Path root() {
    return root;
  }

  /** The local file of {@code path}; rejects paths that would leave the root. */
  public Path file(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.contains("\\")) {
      throw new IllegalArgumentException("not a relative store path: " + path);
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("not a relative store path: " + path);
      }
    }
    return root.resolve(path);
  }

  @Override
  public String locate(String path) {
    return file(path).toString();
  }

  @Override
  public boolean exists(String path) {
    return Files.isRegularFile(file(path));
  }

  @Override
  public void upload(String path, InputStream data, long size) {
    Path target = file(path);
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
      long written;
      try (OutputStream out = Files.newOutputStream(tmp)) {
        written = data.transferTo(out);
      }
      if (written != size) {
        throw new KindlingException(
            "upload of " + path + " announced " + size + " bytes but sent " + written);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new KindlingException("writing " + target + " failed: " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: a stray temp file is harmless
        }
      }
    }
  }

  @Override
  public InputStream read(String path) {
    try {
      return Files.newInputStream(file(path));
    } catch (NoSuchFileException e) {
      throw new NotFoundException("no file at " + file(path));
    } catch (IOException e) {
      throw new KindlingException("reading " + file(path) + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<StoredFile> list(String prefix) {
    Path dir = file(prefix);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir, new FileVisitOption[0])) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith(".upload-"))
          .map(
              p -> {
                try {
                  return new StoredFile(
                      root.relativize(p).toString().replace('\\', '/'), Files.size(p));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sorted(java.util.Comparator.comparing(StoredFile::path))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new KindlingException("listing " + dir + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean delete(String path) {
    try {
      return Files.deleteIfExists(file(path));
    } catch (IOException e) {
      throw new KindlingException("deleting " + file(path) + " failed: " + e.getMessage(), e);
    }
  }
}
