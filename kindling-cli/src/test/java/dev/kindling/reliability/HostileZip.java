package dev.kindling.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes the hostile archives of the corpus byte by byte, at test time (nothing binary is
 * committed): what {@link java.util.zip.ZipOutputStream} refuses to write (duplicate names, raw
 * non-UTF-8 name bytes, symlink entries) and large archives whose compressed data is one deflated
 * block repeated, so an 11 MB archive that expands to more than 2 GiB is written in a moment.
 */
final class HostileZip {
  private record Entry(
      byte[] name, int flags, long attrs, byte[] block, int repeat, byte[] deflatedBlock) {}

  private final List<Entry> entries = new ArrayList<>();

  /** A regular file with a UTF-8 name. */
  HostileZip file(String name, String content) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    entries.add(new Entry(utf8(name), 0x800, 0100644L << 16, data, 1, deflate(data)));
    return this;
  }

  /** A file whose name is {@code name} as given, without the UTF-8 flag. */
  HostileZip rawName(byte[] name, String content) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    entries.add(new Entry(name, 0, 0100644L << 16, data, 1, deflate(data)));
    return this;
  }

  /** A symbolic link to {@code target} (unix mode 0120777). */
  HostileZip symlink(String name, String target) {
    byte[] data = target.getBytes(StandardCharsets.UTF_8);
    entries.add(new Entry(utf8(name), 0x800, 0120777L << 16, data, 1, deflate(data)));
    return this;
  }

  /**
   * A file of {@code blocks} MiB whose data compresses about {@code ratio} to 1 (random bytes in
   * zeros): honest sizes and CRC, the deflated block repeated.
   */
  HostileZip large(String name, int blocks, int ratio, long seed) {
    byte[] block = new byte[1 << 20];
    Random random = new Random(seed);
    // each random byte costs about one compressed byte, zeros almost nothing
    int noise = Math.max(0, block.length / ratio - 1100);
    for (int i = 0; i < noise; i++) {
      block[random.nextInt(block.length)] = (byte) (1 + random.nextInt(255));
    }
    entries.add(new Entry(utf8(name), 0x800, 0100644L << 16, block, blocks, flushed(block)));
    return this;
  }

  Path writeTo(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      long offset = 0;
      List<byte[]> central = new ArrayList<>();
      for (Entry e : entries) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < e.repeat(); i++) {
          crc.update(e.block());
        }
        long size = (long) e.block().length * e.repeat();
        byte[] tail = e.repeat() == 1 ? new byte[0] : FINAL_EMPTY_BLOCK;
        long csize = (long) e.deflatedBlock().length * e.repeat() + tail.length;
        if (size > 0xFFFFFFFEL || csize > 0xFFFFFFFEL) {
          throw new IllegalArgumentException(
              "entries over 4 GiB need zip64, not written here: " + size);
        }
        ByteBuffer loc = le(30);
        loc.putInt(0x04034b50).putShort((short) 20).putShort((short) e.flags());
        loc.putShort((short) 8).putShort((short) 0).putShort((short) 0x21);
        loc.putInt((int) crc.getValue()).putInt((int) csize).putInt((int) size);
        loc.putShort((short) e.name().length).putShort((short) 0);
        out.write(loc.array());
        out.write(e.name());
        for (int i = 0; i < e.repeat(); i++) {
          out.write(e.deflatedBlock());
        }
        out.write(tail);

        ByteBuffer c = le(46);
        c.putInt(0x02014b50).putShort((short) (3 << 8 | 20)).putShort((short) 20);
        c.putShort((short) e.flags()).putShort((short) 8);
        c.putShort((short) 0).putShort((short) 0x21);
        c.putInt((int) crc.getValue()).putInt((int) csize).putInt((int) size);
        c.putShort((short) e.name().length).putShort((short) 0).putShort((short) 0);
        c.putShort((short) 0).putShort((short) 0).putInt((int) e.attrs()).putInt((int) offset);
        byte[] cen = new byte[46 + e.name().length];
        System.arraycopy(c.array(), 0, cen, 0, 46);
        System.arraycopy(e.name(), 0, cen, 46, e.name().length);
        central.add(cen);
        offset += 30 + e.name().length + csize;
      }
      long cenSize = 0;
      for (byte[] cen : central) {
        out.write(cen);
        cenSize += cen.length;
      }
      ByteBuffer end = le(22);
      end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
      end.putShort((short) entries.size()).putShort((short) entries.size());
      end.putInt((int) cenSize).putInt((int) offset).putShort((short) 0);
      out.write(end.array());
    }
    return file;
  }

  /** A final, empty stored block: ends a deflate stream made of full-flushed blocks. */
  private static final byte[] FINAL_EMPTY_BLOCK = {0x01, 0x00, 0x00, (byte) 0xFF, (byte) 0xFF};

  private static byte[] deflate(byte[] data) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      d.setInput(data);
      d.finish();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      while (!d.finished()) {
        out.write(buf, 0, d.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  /** {@code data} deflated and full-flushed: byte-aligned, independent of what came before. */
  private static byte[] flushed(byte[] data) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      d.setInput(data);
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      int n;
      do {
        n = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
        out.write(buf, 0, n);
      } while (n == buf.length || !d.needsInput());
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
