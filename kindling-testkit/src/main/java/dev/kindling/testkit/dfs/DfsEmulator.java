package dev.kindling.testkit.dfs;

import dev.kindling.testkit.emulator.EmulatorServer;
import dev.kindling.testkit.emulator.EmulatorServer.Request;
import dev.kindling.testkit.emulator.EmulatorServer.Response;
import dev.kindling.testkit.emulator.TokenIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The ADLS Gen2 / OneLake DFS protocol ({@code platform-apis.md} §5) over an {@link
 * EmulatorServer}: create, append at contiguous positions, flush at the final length, read, HEAD,
 * delete, rename ({@code x-ms-rename-source}) and list with continuation, with the bearer token
 * checked. Files live at {@code <root>/<filesystem>/<path>} (conventionally {@code <dataDir>/dfs}),
 * so an emulated driver can map {@code abfss://<filesystem>@<host>/} to that directory. Appended
 * data stays outside that tree until flushed, so neither readers nor the driver see it.
 *
 * <p>It has no server of its own: {@link #register} mounts it into another emulator's server, the
 * way Fabric and Synapse serve OneLake / ADLS next to their REST APIs.
 */
public final class DfsEmulator {
  private static final DateTimeFormatter RFC1123 =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final Pattern FILESYSTEM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private final Path root;
  private final Path pending;
  private final String token;
  private final Map<String, Long> pendingLength = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private volatile int pageSize = 5000;

  /**
   * A DFS store under {@code root} accepting {@code token}.
   *
   * @param root the directory holding one directory per filesystem
   * @param token the bearer token it accepts
   */
  public DfsEmulator(Path root, String token) {
    this.root = root.toAbsolutePath().normalize();
    this.pending = this.root.resolveSibling(this.root.getFileName() + "-uncommitted");
    this.token = token;
    try {
      Files.createDirectories(this.root);
      Files.createDirectories(pending);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A DFS store in {@code <dataDir>/dfs}. */
  private volatile TokenIssuer issuer;

  /** Also accepts {@code issuer}'s unexpired storage tokens; answers 401 to its expired ones. */
  public DfsEmulator tokenIssuer(TokenIssuer issuer) {
    this.issuer = issuer;
    return this;
  }

  public static DfsEmulator in(Path dataDir, String token) {
    return new DfsEmulator(dataDir.resolve("dfs"), token);
  }

  /**
   * Mounts the protocol into {@code server}: every path whose first segment is not one of {@code
   * reservedFirstSegments} (the host emulator's API roots, e.g. {@code v1}). Register it after the
   * host's own routes.
   */
  public DfsEmulator register(EmulatorServer server, String... reservedFirstSegments) {
    String reserved =
        reservedFirstSegments.length == 0
            ? ""
            : "(?!(?:"
                + Arrays.stream(reservedFirstSegments)
                    .map(Pattern::quote)
                    .collect(Collectors.joining("|"))
                + ")(?:/|$))";
    String fsOnly = "/" + reserved + "([^/]+)/?";
    String withPath = "/" + reserved + "([^/]+)/(.+)";
    server.route("PUT", fsOnly, r -> guard(r, () -> createFilesystem(r)));
    server.route("GET", fsOnly, r -> guard(r, () -> list(r)));
    server.route("HEAD", fsOnly, r -> guard(r, () -> headFilesystem(r)));
    server.route("PUT", withPath, r -> guard(r, () -> put(r)));
    server.route("PATCH", withPath, r -> guard(r, () -> patch(r)));
    server.route("GET", withPath, r -> guard(r, () -> read(r)));
    server.route("HEAD", withPath, r -> guard(r, () -> head(r)));
    server.route("DELETE", withPath, r -> guard(r, () -> delete(r)));
    return this;
  }

  /** The directory holding every filesystem. */
  public Path root() {
    return root;
  }

  /** The directory of {@code filesystem} (created if missing). */
  public Path filesystem(String filesystem) {
    Path d = root.resolve(filesystem);
    try {
      Files.createDirectories(d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return d;
  }

  /** The local file behind {@code filesystem}/{@code path}. */
  public Path file(String filesystem, String path) {
    return resolve(filesystem, path);
  }

  /** How many paths one list page holds at most (default 5000; the client may ask for fewer). */
  public void pageSize(int n) {
    pageSize = n;
  }

  // ---------------------------------------------------------------- handlers

  private interface Action {
    Response run() throws IOException;
  }

  private Response guard(Request r, Action action) throws IOException {
    Optional<String> bearer = r.bearer();
    if (bearer.isEmpty()) {
      return error(
          401, "NoAuthenticationInformation", "Server failed to authenticate the request.");
    }
    TokenIssuer.Verdict issued =
        issuer == null
            ? TokenIssuer.Verdict.UNKNOWN
            : issuer.check(bearer.get(), TokenIssuer.STORAGE);
    if (issued == TokenIssuer.Verdict.REVOKED) {
      return error(
          401,
          "InvalidAuthenticationInfo",
          "Server failed to authenticate the request. The token is no longer valid.");
    }
    if (issued == TokenIssuer.Verdict.EXPIRED) {
      return error(
          401,
          "InvalidAuthenticationInfo",
          "Server failed to authenticate the request. Lifetime validation failed. The token is"
              + " expired.");
    }
    if (!bearer.get().equals(token) && issued != TokenIssuer.Verdict.VALID) {
      return error(
          403,
          "AuthenticationFailed",
          "Server failed to authenticate the request. The token is not valid for this store.");
    }
    if (r.header("x-ms-version").isEmpty()) {
      return error(400, "MissingRequiredHeader", "x-ms-version is required.");
    }
    String fs = r.group(1);
    if (!FILESYSTEM.matcher(fs).matches()) {
      return error(400, "InvalidResourceName", "The specified filesystem name is not valid: " + fs);
    }
    if (r.groups().size() > 1 && r.group(2) != null) {
      String p = r.group(2);
      for (String s : p.split("/", -1)) {
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
          return error(400, "InvalidResourceName", "The path is not valid: " + p);
        }
      }
    }
    return action.run();
  }

  private Response createFilesystem(Request r) throws IOException {
    if (!"filesystem".equals(r.param("resource").orElse(""))) {
      return error(400, "InvalidQueryParameterValue", "resource=filesystem is required.");
    }
    Path d = root.resolve(r.group(1));
    if (Files.isDirectory(d)) {
      return error(409, "FilesystemAlreadyExists", "The specified filesystem already exists.");
    }
    Files.createDirectories(d);
    return stamp(Response.empty(201));
  }

  private Response headFilesystem(Request r) {
    return Files.isDirectory(root.resolve(r.group(1)))
        ? stamp(Response.empty(200))
        : error(404, "FilesystemNotFound", "The specified filesystem does not exist.");
  }

  private Response put(Request r) throws IOException {
    String fs = r.group(1);
    String path = r.group(2);
    Path f = resolve(fs, path);
    if (!Files.isDirectory(root.resolve(fs))) {
      return error(404, "FilesystemNotFound", "The specified filesystem does not exist.");
    }
    Optional<String> renameSource = r.header("x-ms-rename-source");
    if (renameSource.isPresent()) {
      return rename(renameSource.get(), fs, path, f, r);
    }
    String resource = r.param("resource").orElse("");
    if (resource.equals("directory")) {
      if (Files.isRegularFile(f)) {
        return error(409, "PathConflict", "A file exists at the path.");
      }
      Files.createDirectories(f);
      return stamp(Response.empty(201));
    }
    if (!resource.equals("file")) {
      return error(
          400, "InvalidQueryParameterValue", "resource must be file or directory, or rename.");
    }
    if (Files.isDirectory(f)) {
      return error(409, "PathConflict", "A directory exists at the path.");
    }
    if (r.header("If-None-Match").filter("*"::equals).isPresent() && Files.exists(f)) {
      return error(409, "PathAlreadyExists", "The specified path already exists.");
    }
    if (Files.isRegularFile(f.getParent())) {
      return error(409, "PathConflict", "A parent of the path is a file.");
    }
    Files.createDirectories(f.getParent());
    synchronized (lock(fs + "/" + path)) {
      writeAtomically(f, InputStream.nullInputStream(), false);
      clearPending(fs, path);
    }
    return stamp(Response.empty(201)).header("ETag", etag(f));
  }

  private Response rename(String source, String fs, String path, Path target, Request r)
      throws IOException {
    String src = source;
    int q = src.indexOf('?');
    if (q >= 0) {
      src = src.substring(0, q);
    }
    src = URLDecoder.decode(src.replace("+", "%2B"), StandardCharsets.UTF_8);
    String[] parts = src.replaceFirst("^/", "").split("/", 2);
    if (parts.length < 2 || !FILESYSTEM.matcher(parts[0]).matches()) {
      return error(400, "InvalidSourceUri", "x-ms-rename-source is not /<filesystem>/<path>.");
    }
    Path from = resolve(parts[0], parts[1]);
    if (!Files.exists(from)) {
      return error(404, "SourcePathNotFound", "The source path for a rename does not exist.");
    }
    if (r.header("If-None-Match").filter("*"::equals).isPresent() && Files.exists(target)) {
      return error(409, "PathAlreadyExists", "The specified path already exists.");
    }
    if (Files.isDirectory(target)) {
      return error(409, "PathConflict", "A directory exists at the destination.");
    }
    Files.createDirectories(target.getParent());
    try {
      Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, target, StandardCopyOption.REPLACE_EXISTING);
    }
    clearPending(parts[0], parts[1]);
    clearPending(fs, path);
    return stamp(Response.empty(201));
  }

  private Response patch(Request r) throws IOException {
    String fs = r.group(1);
    String path = r.group(2);
    Path f = resolve(fs, path);
    if (!Files.isRegularFile(f)) {
      return error(404, "PathNotFound", "The specified path does not exist.");
    }
    String action = r.param("action").orElse("");
    Optional<Long> position = r.param("position").flatMap(DfsEmulator::parseLong);
    if (position.isEmpty() || position.get() < 0) {
      return error(
          400, "InvalidQueryParameterValue", "position is required and must be a non-negative.");
    }
    String key = fs + "/" + path;
    synchronized (lock(key)) {
      long committed = Files.size(f);
      long uncommitted = pendingLength.getOrDefault(key, 0L);
      long end = committed + uncommitted;
      Path data = pendingFile(key);
      if (action.equals("append")) {
        long pos = position.get();
        if (pos == end) {
          // stream the body straight to the uncommitted data: no copy of it in memory
          long n = appendBody(r, data, uncommitted);
          pendingLength.put(key, uncommitted + n);
          if (r.param("flush").orElse("").equalsIgnoreCase("true")) {
            // append-and-flush (x-ms-version 2020-08-04+): commits everything appended so far
            commit(f, data, committed);
            clearPending(fs, path);
            return stamp(Response.empty(200)).header("ETag", etag(f));
          }
          return stamp(Response.empty(202));
        }
        byte[] body = r.bytes();
        if (pos >= committed
            && pos + body.length == end
            && sameBytes(data, pos - committed, body)) {
          return stamp(Response.empty(202)); // a replayed append
        }
        return error(
            400,
            "InvalidQueryParameterValue",
            "The value for one of the query parameters specified in the request URI is invalid:"
                + " position "
                + pos
                + " (the data appended so far ends at "
                + end
                + ").");
      }
      if (action.equals("flush")) {
        long pos = position.get();
        if (pos != end) {
          return error(
              400,
              "InvalidFlushPosition",
              "The uploaded data is not contiguous or the position query parameter value is not"
                  + " equal to the length of the file after appending the uploaded data: position "
                  + pos
                  + ", length "
                  + end
                  + ".");
        }
        if (uncommitted > 0) {
          commit(f, data, committed);
        }
        clearPending(fs, path);
        return stamp(Response.empty(200)).header("ETag", etag(f));
      }
    }
    return error(400, "InvalidQueryParameterValue", "action must be append or flush.");
  }

  private Response read(Request r) {
    Path f = resolve(r.group(1), r.group(2));
    if (Files.isDirectory(f)) {
      return error(400, "PathIsDirectory", "The path is a directory.");
    }
    if (!Files.isRegularFile(f)) {
      return error(404, "PathNotFound", "The specified path does not exist.");
    }
    return stamp(Response.file(200, f)).header("ETag", etag(f));
  }

  private Response head(Request r) throws IOException {
    Path f = resolve(r.group(1), r.group(2));
    if (Files.isDirectory(f)) {
      return stamp(Response.empty(200)).header("x-ms-resource-type", "directory");
    }
    if (!Files.isRegularFile(f)) {
      return error(404, "PathNotFound", "The specified path does not exist.");
    }
    return stamp(Response.file(200, f))
        .header("x-ms-resource-type", "file")
        .header("ETag", etag(f))
        .header("Last-Modified", RFC1123.format(Files.getLastModifiedTime(f).toInstant()));
  }

  private Response delete(Request r) throws IOException {
    Path f = resolve(r.group(1), r.group(2));
    if (!Files.exists(f)) {
      return error(404, "PathNotFound", "The specified path does not exist.");
    }
    if (Files.isDirectory(f)) {
      boolean recursive = r.param("recursive").map(Boolean::parseBoolean).orElse(false);
      try (Stream<Path> s = Files.list(f)) {
        if (s.findAny().isPresent() && !recursive) {
          return error(
              409, "DirectoryNotEmpty", "The recursive query parameter value must be true.");
        }
      }
      try (Stream<Path> walk = Files.walk(f)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    } else {
      Files.delete(f);
    }
    clearPending(r.group(1), r.group(2));
    return stamp(Response.empty(200));
  }

  private Response list(Request r) throws IOException {
    if (!"filesystem".equals(r.param("resource").orElse(""))) {
      return error(400, "InvalidQueryParameterValue", "resource=filesystem is required.");
    }
    Path fsDir = root.resolve(r.group(1));
    if (!Files.isDirectory(fsDir)) {
      return error(404, "FilesystemNotFound", "The specified filesystem does not exist.");
    }
    String directory = r.param("directory").orElse("").replaceAll("^/+|/+$", "");
    Path dir = directory.isEmpty() ? fsDir : resolve(r.group(1), directory);
    if (!Files.isDirectory(dir)) {
      return error(404, "PathNotFound", "The specified path does not exist.");
    }
    boolean recursive = r.param("recursive").map(Boolean::parseBoolean).orElse(false);
    int max =
        r.param("maxResults").flatMap(DfsEmulator::parseLong).map(Long::intValue).orElse(5000);
    max = Math.max(1, Math.min(max, pageSize));
    List<Path> all;
    try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
      all =
          s.filter(p -> !p.equals(dir))
              .filter(p -> !p.getFileName().toString().startsWith(".dfs-"))
              .sorted(Comparator.comparing(p -> fsDir.relativize(p).toString()))
              .toList();
    }
    int from = 0;
    Optional<String> continuation = r.param("continuation");
    if (continuation.isPresent()) {
      String after;
      try {
        after =
            new String(Base64.getUrlDecoder().decode(continuation.get()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return error(400, "InvalidQueryParameterValue", "The continuation token is not valid.");
      }
      while (from < all.size()
          && fsDir.relativize(all.get(from)).toString().compareTo(after) <= 0) {
        from++;
      }
    }
    int to = Math.min(all.size(), from + max);
    List<Map<String, Object>> paths = new ArrayList<>();
    for (Path p : all.subList(from, to)) {
      Map<String, Object> m = new LinkedHashMap<>();
      boolean isDir = Files.isDirectory(p);
      m.put("name", fsDir.relativize(p).toString().replace('\\', '/'));
      if (isDir) {
        m.put("isDirectory", "true");
      }
      m.put("contentLength", isDir ? "0" : Long.toString(Files.size(p)));
      m.put("lastModified", RFC1123.format(Files.getLastModifiedTime(p).toInstant()));
      m.put("etag", etag(p));
      m.put("owner", "$superuser");
      m.put("group", "$superuser");
      m.put("permissions", isDir ? "rwxr-x---" : "rw-r-----");
      paths.add(m);
    }
    Response resp = stamp(Response.json(200, Map.of("paths", paths)));
    if (to < all.size()) {
      String last = fsDir.relativize(all.get(to - 1)).toString();
      resp.header(
          "x-ms-continuation",
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
    }
    return resp;
  }

  // ---------------------------------------------------------------- helpers

  private Path resolve(String fs, String path) {
    Path d = root.resolve(fs);
    Path f = d.resolve(path).normalize();
    if (!f.startsWith(d)) {
      throw new IllegalArgumentException("path escapes the filesystem: " + path);
    }
    return f;
  }

  private Path pendingFile(String key) {
    return pending.resolve(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString());
  }

  private void clearPending(String fs, String path) throws IOException {
    String key = fs + "/" + path;
    synchronized (lock(key)) {
      pendingLength.remove(key);
      Files.deleteIfExists(pendingFile(key));
    }
  }

  /**
   * The lock of one path: requests on different paths (the parallel uploads of a deploy) run
   * concurrently; those on the same path one at a time, as positions are checked against the end.
   */
  private Object lock(String key) {
    return locks.computeIfAbsent(key, k -> new Object());
  }

  /**
   * Appends the request body to the uncommitted data, streaming; if the body breaks off, the data
   * is cut back to {@code length}, so a half-received append leaves nothing behind.
   *
   * @return the body's length
   */
  private static long appendBody(Request r, Path data, long length) throws IOException {
    try (FileChannel ch =
        FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.position(length);
      OutputStream out = Channels.newOutputStream(ch); // closed with the channel
      try {
        long n = r.body().transferTo(out);
        ch.truncate(length + n);
        return n;
      } catch (IOException e) {
        ch.truncate(length);
        throw e;
      }
    }
  }

  /**
   * Makes the uncommitted data visible at {@code f}: a move when {@code f} is empty (the usual
   * create, append, flush), else a copy of {@code f} with the data appended; atomic either way.
   */
  private static void commit(Path f, Path data, long committed) throws IOException {
    if (committed == 0) {
      try {
        Files.move(data, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return;
      } catch (AtomicMoveNotSupportedException e) {
        // another file system: copy below
      }
    }
    try (InputStream in = Files.newInputStream(data)) {
      writeAtomically(f, in, true);
    }
  }

  private static boolean sameBytes(Path data, long offset, byte[] body) throws IOException {
    if (!Files.exists(data)) {
      return false;
    }
    try (var ch = Files.newByteChannel(data)) {
      ch.position(offset);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(body.length);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // read on
      }
      return !buf.hasRemaining() && Arrays.equals(buf.array(), body);
    }
  }

  /** Writes (or appends {@code in} to) {@code f} through a temporary file and an atomic move. */
  private static void writeAtomically(Path f, InputStream in, boolean append) throws IOException {
    Path tmp = Files.createTempFile(f.getParent(), ".dfs-", ".tmp");
    try {
      if (append && Files.exists(f)) {
        Files.copy(f, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      try (OutputStream out =
          Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        in.transferTo(out);
      }
      try {
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String etag(Path f) {
    try {
      return "\"0x"
          + Long.toHexString(Files.getLastModifiedTime(f).toMillis() * 31 + Files.size(f))
          + "\"";
    } catch (IOException e) {
      return "\"0x0\"";
    }
  }

  private static Optional<Long> parseLong(String s) {
    try {
      return Optional.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Response stamp(Response r) {
    return r.header("x-ms-request-id", UUID.randomUUID().toString())
        .header("x-ms-version", "2023-11-03")
        .header("Date", RFC1123.format(Instant.now()));
  }

  /** A DFS error: {@code x-ms-error-code} plus {@code {"error": {"code", "message"}}}. */
  static Response error(int status, String code, String message) {
    String requestId = UUID.randomUUID().toString();
    Map<String, Object> body =
        Map.of(
            "error",
            Map.of(
                "code",
                code,
                "message",
                message + "\nRequestId:" + requestId + "\nTime:" + Instant.now()));
    return Response.json(status, body)
        .header("x-ms-error-code", code)
        .header("x-ms-request-id", requestId)
        .header("x-ms-version", "2023-11-03");
  }
}
