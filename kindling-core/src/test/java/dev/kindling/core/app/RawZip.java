package dev.kindling.core.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip files byte by byte, for tests that need what {@link java.util.zip.ZipOutputStream}
 * refuses to write: duplicate names, raw name bytes, symlink attributes, lying sizes.
 */
final class RawZip {
  private record Entry(
      byte[] name, byte[] data, boolean deflate, long attrs, int flags, long declaredSize) {}

  private final List<Entry> entries = new ArrayList<>();

  RawZip file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8));
  }

  RawZip file(String name, byte[] content) {
    entries.add(new Entry(utf8(name), content, true, 0100644L << 16, 0x800, -1));
    return this;
  }

  RawZip rawName(byte[] name, String content) {
    entries.add(new Entry(name, content.getBytes(StandardCharsets.UTF_8), true, 0, 0, -1));
    return this;
  }

  RawZip dir(String name) {
    entries.add(new Entry(utf8(name), new byte[0], false, 040755L << 16, 0x800, -1));
    return this;
  }

  RawZip symlink(String name, String target) {
    entries.add(
        new Entry(
            utf8(name), target.getBytes(StandardCharsets.UTF_8), false, 0120777L << 16, 0x800, -1));
    return this;
  }

  RawZip encrypted(String name, String content) {
    entries.add(
        new Entry(utf8(name), content.getBytes(StandardCharsets.UTF_8), false, 0, 0x801, -1));
    return this;
  }

  /** An entry whose headers declare {@code declaredSize} instead of the real size. */
  RawZip lying(String name, byte[] content, long declaredSize) {
    entries.add(new Entry(utf8(name), content, true, 0100644L << 16, 0x800, declaredSize));
    return this;
  }

  Path writeTo(Path file) throws IOException {
    Files.write(file, bytes());
    return file;
  }

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream cen = new ByteArrayOutputStream();
    for (Entry e : entries) {
      CRC32 crc = new CRC32();
      crc.update(e.data());
      byte[] stored = e.deflate() ? deflate(e.data()) : e.data();
      long size = e.declaredSize() >= 0 ? e.declaredSize() : e.data().length;
      int offset = out.size();
      ByteBuffer loc = le(30);
      loc.putInt(0x04034b50).putShort((short) 20).putShort((short) e.flags());
      loc.putShort((short) (e.deflate() ? 8 : 0)).putShort((short) 0).putShort((short) 0x21);
      loc.putInt((int) crc.getValue()).putInt(stored.length).putInt((int) size);
      loc.putShort((short) e.name().length).putShort((short) 0);
      out.writeBytes(loc.array());
      out.writeBytes(e.name());
      out.writeBytes(stored);

      ByteBuffer c = le(46);
      c.putInt(0x02014b50).putShort((short) (3 << 8 | 20)).putShort((short) 20);
      c.putShort((short) e.flags()).putShort((short) (e.deflate() ? 8 : 0));
      c.putShort((short) 0).putShort((short) 0x21);
      c.putInt((int) crc.getValue()).putInt(stored.length).putInt((int) size);
      c.putShort((short) e.name().length).putShort((short) 0).putShort((short) 0);
      c.putShort((short) 0).putShort((short) 0).putInt((int) e.attrs()).putInt(offset);
      cen.writeBytes(c.array());
      cen.writeBytes(e.name());
    }
    int cenOffset = out.size();
    out.writeBytes(cen.toByteArray());
    ByteBuffer end = le(22);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
    end.putShort((short) entries.size()).putShort((short) entries.size());
    end.putInt(cen.size()).putInt(cenOffset).putShort((short) 0);
    out.writeBytes(end.array());
    return out.toByteArray();
  }

  private static byte[] deflate(byte[] data) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      d.setInput(data);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      while (!d.finished()) {
        out.write(buf, 0, d.deflate(buf));
      }
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
