package dev.kindling.core.app;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal reader of a zip file's central directory, for what {@link java.util.zip.ZipFile} does
 * not expose: the raw bytes of entry names (to name entries whose names are not UTF-8) and the
 * external attributes (to find symlink entries). Supports zip64. Reads no entry data.
 */
final class CentralDirectory {
  private static final int EOCD_SIG = 0x06054b50;
  private static final int EOCD_SIZE = 22;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int ZIP64_LOCATOR_SIZE = 20;
  private static final int ZIP64_EOCD_SIG = 0x06064b50;
  private static final int CEN_SIG = 0x02014b50;
  private static final int CEN_HEADER_SIZE = 46;
  private static final long MAX_CEN_BYTES = 256L << 20;

  /** One central directory record. */
  record Entry(byte[] rawName, int flags, int method, long compressedSize, long size, long attrs) {
    /** Whether the unix mode in the external attributes says symlink. */
    boolean isSymlink() {
      return ((attrs >> 16) & 0170000) == 0120000;
    }
  }

  /** The archive is not a zip file, or its central directory is broken. */
  static final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;

    FormatException(String message) {
      super(message);
    }
  }

  /** What was read: the declared entry count and the entries, up to {@code maxEntries}. */
  record Listing(long declaredEntries, List<Entry> entries) {}

  private CentralDirectory() {}

  /**
   * Reads the central directory of {@code file}. When the archive declares more than {@code
   * maxEntries} entries, returns without reading any entry.
   */
  static Listing read(Path file, int maxEntries) throws IOException, FormatException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      if (fileSize < EOCD_SIZE) {
        throw new FormatException("it is too small to be a zip archive");
      }
      int tailSize = (int) Math.min(fileSize, EOCD_SIZE + 0xFFFF);
      ByteBuffer tail = readFully(ch, fileSize - tailSize, tailSize);
      int eocd = -1;
      for (int i = tailSize - EOCD_SIZE; i >= 0; i--) {
        if (tail.getInt(i) == EOCD_SIG
            && i + EOCD_SIZE + (tail.getShort(i + 20) & 0xFFFF) <= tailSize) {
          eocd = i;
          break;
        }
      }
      if (eocd < 0) {
        throw new FormatException("it is not a zip archive (no end of central directory record)");
      }
      long eocdPos = fileSize - tailSize + eocd;
      long entries = tail.getShort(eocd + 10) & 0xFFFF;
      long cenSize = tail.getInt(eocd + 12) & 0xFFFFFFFFL;
      long cenEnd = eocdPos;
      if (entries == 0xFFFF || cenSize == 0xFFFFFFFFL || tail.getInt(eocd + 16) == -1) {
        long locatorPos = eocdPos - ZIP64_LOCATOR_SIZE;
        if (locatorPos >= 0) {
          ByteBuffer loc = readFully(ch, locatorPos, ZIP64_LOCATOR_SIZE);
          if (loc.getInt(0) == ZIP64_LOCATOR_SIG) {
            long z64Pos = loc.getLong(8);
            if (z64Pos < 0 || z64Pos + 56 > locatorPos) {
              throw new FormatException("its zip64 end of central directory is out of range");
            }
            ByteBuffer z64 = readFully(ch, z64Pos, 56);
            if (z64.getInt(0) != ZIP64_EOCD_SIG) {
              throw new FormatException("its zip64 end of central directory is missing");
            }
            entries = z64.getLong(32);
            cenSize = z64.getLong(40);
            cenEnd = z64Pos;
          }
        }
      }
      if (entries < 0) {
        throw new FormatException("its central directory declares a negative entry count");
      }
      if (entries > maxEntries) {
        return new Listing(entries, List.of());
      }
      long cenStart = cenEnd - cenSize;
      if (cenSize < 0 || cenStart < 0) {
        throw new FormatException("its central directory is out of range");
      }
      if (cenSize > MAX_CEN_BYTES) {
        throw new FormatException("its central directory is larger than " + MAX_CEN_BYTES);
      }
      ByteBuffer cen = readFully(ch, cenStart, (int) cenSize);
      List<Entry> out = new ArrayList<>((int) Math.min(entries, 1024));
      int pos = 0;
      while (pos < cenSize) {
        if (out.size() > maxEntries) {
          return new Listing(out.size(), List.of());
        }
        if (pos + CEN_HEADER_SIZE > cenSize || cen.getInt(pos) != CEN_SIG) {
          throw new FormatException("its central directory is corrupt at entry " + out.size());
        }
        int flags = cen.getShort(pos + 8) & 0xFFFF;
        int method = cen.getShort(pos + 10) & 0xFFFF;
        long csize = cen.getInt(pos + 20) & 0xFFFFFFFFL;
        long size = cen.getInt(pos + 24) & 0xFFFFFFFFL;
        int nameLen = cen.getShort(pos + 28) & 0xFFFF;
        int extraLen = cen.getShort(pos + 30) & 0xFFFF;
        int commentLen = cen.getShort(pos + 32) & 0xFFFF;
        long attrs = cen.getInt(pos + 38) & 0xFFFFFFFFL;
        int next = pos + CEN_HEADER_SIZE + nameLen + extraLen + commentLen;
        if (next > cenSize) {
          throw new FormatException("its central directory is truncated at entry " + out.size());
        }
        byte[] name = new byte[nameLen];
        cen.get(pos + CEN_HEADER_SIZE, name);
        long[] sizes = zip64Sizes(cen, pos + CEN_HEADER_SIZE + nameLen, extraLen, size, csize);
        out.add(new Entry(name, flags, method, sizes[1], sizes[0], attrs));
        pos = next;
      }
      if (out.size() > maxEntries) {
        return new Listing(out.size(), List.of());
      }
      return new Listing(out.size(), out);
    }
  }

  /** {size, csize}, taking the zip64 extra field into account. */
  private static long[] zip64Sizes(ByteBuffer cen, int start, int len, long size, long csize) {
    long[] out = {size, csize};
    int p = start;
    int end = start + len;
    while (p + 4 <= end) {
      int id = cen.getShort(p) & 0xFFFF;
      int dataLen = cen.getShort(p + 2) & 0xFFFF;
      int data = p + 4;
      if (data + dataLen > end) {
        break;
      }
      if (id == 0x0001) {
        int q = data;
        if (size == 0xFFFFFFFFL && q + 8 <= data + dataLen) {
          out[0] = cen.getLong(q);
          q += 8;
        }
        if (csize == 0xFFFFFFFFL && q + 8 <= data + dataLen) {
          out[1] = cen.getLong(q);
        }
        break;
      }
      p = data + dataLen;
    }
    return out;
  }

  private static ByteBuffer readFully(FileChannel ch, long position, int size) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    long p = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, p);
      if (n < 0) {
        throw new EOFException("unexpected end of file at " + p);
      }
      p += n;
    }
    buf.flip();
    return buf;
  }
}
