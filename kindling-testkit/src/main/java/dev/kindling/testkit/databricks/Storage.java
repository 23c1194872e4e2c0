package dev.kindling.testkit.databricks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.testkit.databricks.ApiErrors.ApiException;
import dev.kindling.testkit.emulator.EmulatorServer;
import dev.kindling.testkit.emulator.EmulatorServer.Request;
import dev.kindling.testkit.emulator.EmulatorServer.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The emulator's storage: Unity Catalog volumes (Files API), DBFS (DBFS API 2.0) and workspace
 * files (Workspace API), each a directory under the data directory.
 *
 * <pre>
 * &lt;data&gt;/volumes/&lt;catalog&gt;/&lt;schema&gt;/&lt;volume&gt;/...   /Volumes/&lt;catalog&gt;/&lt;schema&gt;/&lt;volume&gt;/...
 * &lt;data&gt;/dbfs/...                                 dbfs:/...
 * &lt;data&gt;/workspace/...                            /Workspace/... (and /Users/... as /Workspace/Users/...)
 * </pre>
 */
final class Storage {
  static final int DBFS_MAX_BLOCK = 1024 * 1024;
  static final Duration HANDLE_IDLE_TIMEOUT = Duration.ofMinutes(10);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String TMP = ".emulator-tmp-";

  private final Path volumes;
  private final Path dbfs;
  private final Path workspace;
  private final Map<Long, OpenHandle> handles = new ConcurrentHashMap<>();

  private record OpenHandle(Path target, Path temp, boolean overwrite, Instant[] lastUsed) {}

  Storage(Path dataDir) throws IOException {
    volumes = Files.createDirectories(dataDir.resolve("volumes"));
    dbfs = Files.createDirectories(dataDir.resolve("dbfs"));
    workspace = Files.createDirectories(dataDir.resolve("workspace"));
  }

  Path volumesDir() {
    return volumes;
  }

  Path dbfsDir() {
    return dbfs;
  }

  void routes(EmulatorServer server, Auth auth) {
    server
        .route("PUT", "/api/2\\.0/fs/files(/.*)", auth.wrap(this::putFile))
        .route("GET", "/api/2\\.0/fs/files(/.*)", auth.wrap(r -> getFile(r, false)))
        .route("HEAD", "/api/2\\.0/fs/files(/.*)", auth.wrap(r -> getFile(r, true)))
        .route("DELETE", "/api/2\\.0/fs/files(/.*)", auth.wrap(this::deleteFile))
        .route("PUT", "/api/2\\.0/fs/directories(/.*)", auth.wrap(this::mkdir))
        .route("HEAD", "/api/2\\.0/fs/directories(/.*)", auth.wrap(this::dirExists))
        .route("GET", "/api/2\\.0/fs/directories(/.*)", auth.wrap(this::listDir))
        .route("DELETE", "/api/2\\.0/fs/directories(/.*)", auth.wrap(this::deleteDir))
        .route("POST", "/api/2\\.0/dbfs/create", auth.wrap(this::dbfsCreate))
        .route("POST", "/api/2\\.0/dbfs/add-block", auth.wrap(this::dbfsAddBlock))
        .route("POST", "/api/2\\.0/dbfs/close", auth.wrap(this::dbfsClose))
        .route("POST", "/api/2\\.0/dbfs/put", auth.wrap(this::dbfsPut))
        .route("POST", "/api/2\\.0/dbfs/mkdirs", auth.wrap(this::dbfsMkdirs))
        .route("POST", "/api/2\\.0/dbfs/delete", auth.wrap(this::dbfsDelete))
        .route("POST", "/api/2\\.0/dbfs/move", auth.wrap(this::dbfsMove))
        .route("GET", "/api/2\\.0/dbfs/get-status", auth.wrap(this::dbfsStatus))
        .route("GET", "/api/2\\.0/dbfs/list", auth.wrap(this::dbfsList))
        .route("GET", "/api/2\\.0/dbfs/read", auth.wrap(this::dbfsRead))
        .route("POST", "/api/2\\.0/workspace/mkdirs", auth.wrap(this::wsMkdirs))
        .route("POST", "/api/2\\.0/workspace/import", auth.wrap(this::wsImport))
        .route("GET", "/api/2\\.0/workspace/get-status", auth.wrap(this::wsStatus))
        .route("GET", "/api/2\\.0/workspace/export", auth.wrap(this::wsExport))
        .route("POST", "/api/2\\.0/workspace/delete", auth.wrap(this::wsDelete));
  }

  // ------------------------------------------------------------------------------------------
  // Path mapping

  /** The local file of a {@code /Volumes/c/s/v/...} path. */
  Path volumePath(String path) throws ApiException {
    List<String> parts = segments(path);
    if (parts.size() < 4 || !parts.get(0).equals("Volumes")) {
      throw new ApiException(
          404,
          "NOT_FOUND",
          "Path "
              + path
              + " is not in a Unity Catalog volume (/Volumes/<catalog>/<schema>/<volume>/...).");
    }
    return resolve(volumes, parts.subList(1, parts.size()));
  }

  /** The local file of a DBFS path ({@code dbfs:/x} or {@code /x}). */
  Path dbfsPath(String path) throws ApiException {
    if (path == null || path.isEmpty()) {
      throw new ApiException(ApiErrors.invalid("Path must be absolute: " + path));
    }
    String p = path.startsWith("dbfs:") ? path.substring("dbfs:".length()) : path;
    if (!p.startsWith("/")) {
      throw new ApiException(ApiErrors.invalid("Path must be absolute: " + path));
    }
    return resolve(dbfs, segments(p));
  }

  /** The local file of a workspace path ({@code /Workspace/x}, {@code /Users/x}). */
  Path workspacePath(String path) throws ApiException {
    List<String> parts = segments(path);
    if (!parts.isEmpty() && parts.get(0).equals("Workspace")) {
      parts = parts.subList(1, parts.size());
    }
    return resolve(workspace, parts);
  }

  /**
   * The local file behind a path a job names ({@code /Volumes/...}, {@code dbfs:/...}, {@code
   * /Workspace/...}), as the cluster would read it.
   */
  Optional<Path> fileOf(String jobPath) {
    try {
      if (jobPath.startsWith("/Volumes/")) {
        return Optional.of(volumePath(jobPath));
      }
      if (jobPath.startsWith("dbfs:/")) {
        return Optional.of(dbfsPath(jobPath));
      }
      if (jobPath.startsWith("/Workspace/") || jobPath.startsWith("/Users/")) {
        return Optional.of(workspacePath(jobPath));
      }
    } catch (ApiException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static List<String> segments(String path) throws ApiException {
    if (path == null || !path.startsWith("/")) {
      throw new ApiException(ApiErrors.invalid("Path must be absolute: " + path));
    }
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (s.isEmpty()) {
        continue;
      }
      if (s.equals(".") || s.equals("..")) {
        throw new ApiException(
            ApiErrors.invalid("Path must not contain . or .. segments: " + path));
      }
      out.add(s);
    }
    return out;
  }

  private static Path resolve(Path base, List<String> parts) {
    Path p = base;
    for (String s : parts) {
      p = p.resolve(s);
    }
    return p;
  }

  // ------------------------------------------------------------------------------------------
  // Files API

  private Response putFile(Request r) throws Exception {
    Path target = volumePath(r.group(1));
    boolean overwrite = !"false".equalsIgnoreCase(r.param("overwrite").orElse("true"));
    if (Files.isDirectory(target)) {
      return ApiErrors.error(409, "ALREADY_EXISTS", "A directory exists at " + r.group(1) + ".");
    }
    if (!overwrite && Files.exists(target)) {
      return ApiErrors.error(409, "ALREADY_EXISTS", "The file being created already exists.");
    }
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), TMP, ".part");
    try (InputStream in = r.body();
        OutputStream out = Files.newOutputStream(tmp)) {
      in.transferTo(out);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    moveIntoPlace(tmp, target);
    return Response.empty(204);
  }

  private Response getFile(Request r, boolean head) throws Exception {
    Path f = volumePath(r.group(1));
    if (!Files.isRegularFile(f)) {
      return head
          ? Response.empty(404)
          : ApiErrors.error(404, "NOT_FOUND", "The file being accessed is not found.");
    }
    return Response.file(200, f)
        .header("Last-Modified", httpDate(Files.getLastModifiedTime(f).toInstant()));
  }

  private Response deleteFile(Request r) throws Exception {
    Path f = volumePath(r.group(1));
    if (!Files.isRegularFile(f)) {
      return ApiErrors.error(404, "NOT_FOUND", "The file being accessed is not found.");
    }
    Files.delete(f);
    return Response.empty(204);
  }

  private Response mkdir(Request r) throws Exception {
    Path d = volumePath(r.group(1));
    if (Files.isRegularFile(d)) {
      return ApiErrors.error(409, "ALREADY_EXISTS", "A file exists at " + r.group(1) + ".");
    }
    Files.createDirectories(d);
    return Response.empty(204);
  }

  private Response dirExists(Request r) throws Exception {
    return Response.empty(Files.isDirectory(volumePath(r.group(1))) ? 200 : 404);
  }

  private Response listDir(Request r) throws Exception {
    String dirPath =
        r.group(1).endsWith("/") ? r.group(1).substring(0, r.group(1).length() - 1) : r.group(1);
    Path d = volumePath(dirPath);
    if (!Files.isDirectory(d)) {
      return ApiErrors.error(404, "NOT_FOUND", "The directory being accessed is not found.");
    }
    int pageSize =
        (int) Math.max(1, Math.min(1000, Long.parseLong(r.param("page_size").orElse("1000"))));
    int from = r.param("page_token").map(Storage::decodeToken).orElse(0);
    List<Path> children = children(d);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode contents = body.putArray("contents");
    for (int i = from; i < Math.min(children.size(), from + pageSize); i++) {
      Path c = children.get(i);
      ObjectNode e = contents.addObject();
      boolean dir = Files.isDirectory(c);
      String name = c.getFileName().toString();
      e.put("path", dirPath + "/" + name + (dir ? "/" : ""));
      e.put("is_directory", dir);
      if (!dir) {
        e.put("file_size", Files.size(c));
      }
      e.put("last_modified", Files.getLastModifiedTime(c).toMillis());
      e.put("name", name);
    }
    if (from + pageSize < children.size()) {
      body.put("next_page_token", encodeToken(from + pageSize));
    }
    if (contents.isEmpty()) {
      body.remove("contents");
    }
    return Response.json(200, body);
  }

  private Response deleteDir(Request r) throws Exception {
    Path d = volumePath(r.group(1));
    if (!Files.isDirectory(d)) {
      return ApiErrors.error(404, "NOT_FOUND", "The directory being accessed is not found.");
    }
    try {
      Files.delete(d);
    } catch (DirectoryNotEmptyException e) {
      return ApiErrors.error(409, "RESOURCE_CONFLICT", "The directory is not empty.");
    }
    return Response.empty(204);
  }

  // ------------------------------------------------------------------------------------------
  // DBFS

  private Response dbfsCreate(Request r) throws Exception {
    JsonNode body = json(r);
    String path = body.path("path").asText("");
    Path target = dbfsPath(path);
    boolean overwrite = body.path("overwrite").asBoolean(false);
    if (Files.isDirectory(target) || (!overwrite && Files.exists(target))) {
      return ApiErrors.error(
          409,
          "RESOURCE_ALREADY_EXISTS",
          "A file or directory already exists at the input path " + path + ".");
    }
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), TMP, ".part");
    long handle;
    do {
      handle = RANDOM.nextLong() & Long.MAX_VALUE;
    } while (handle < (1L << 33) || handles.containsKey(handle));
    handles.put(handle, new OpenHandle(target, tmp, overwrite, new Instant[] {Instant.now()}));
    return Response.json(200, Map.of("handle", handle));
  }

  private OpenHandle handle(JsonNode body) throws ApiException, IOException {
    long h = body.path("handle").asLong(-1);
    OpenHandle open = handles.get(h);
    if (open != null && open.lastUsed()[0].plus(HANDLE_IDLE_TIMEOUT).isBefore(Instant.now())) {
      handles.remove(h);
      Files.deleteIfExists(open.temp());
      open = null;
    }
    if (open == null) {
      throw new ApiException(
          400,
          "RESOURCE_DOES_NOT_EXIST",
          "The handle " + body.path("handle").asText() + " does not exist.");
    }
    open.lastUsed()[0] = Instant.now();
    return open;
  }

  private Response dbfsAddBlock(Request r) throws Exception {
    JsonNode body = json(r);
    OpenHandle open = handle(body);
    byte[] data;
    try {
      data = Base64.getDecoder().decode(body.path("data").asText(""));
    } catch (IllegalArgumentException e) {
      return ApiErrors.invalid("data is not valid base64");
    }
    if (data.length > DBFS_MAX_BLOCK) {
      return ApiErrors.error(
          400,
          "MAX_BLOCK_SIZE_EXCEEDED",
          "The block of "
              + data.length
              + " bytes exceeds the limit of "
              + DBFS_MAX_BLOCK
              + " bytes.");
    }
    synchronized (open) {
      Files.write(open.temp(), data, StandardOpenOption.APPEND);
    }
    return Response.json(200, Map.of());
  }

  private Response dbfsClose(Request r) throws Exception {
    JsonNode body = json(r);
    OpenHandle open = handle(body);
    handles.remove(body.path("handle").asLong());
    if (!open.overwrite() && Files.exists(open.target())) {
      Files.deleteIfExists(open.temp());
      return ApiErrors.error(409, "RESOURCE_ALREADY_EXISTS", "A file already exists at the path.");
    }
    moveIntoPlace(open.temp(), open.target());
    return Response.json(200, Map.of());
  }

  private Response dbfsPut(Request r) throws Exception {
    String type = r.header("Content-Type").orElse("");
    if (type.startsWith("multipart/")) {
      return ApiErrors.invalid("the emulator accepts DBFS put as JSON only");
    }
    JsonNode body = json(r);
    Path target = dbfsPath(body.path("path").asText(""));
    byte[] data = Base64.getDecoder().decode(body.path("contents").asText(""));
    if (data.length > DBFS_MAX_BLOCK) {
      return ApiErrors.error(
          400, "MAX_BLOCK_SIZE_EXCEEDED", "contents exceed 1 MB; use create/add-block/close");
    }
    if (!body.path("overwrite").asBoolean(false) && Files.exists(target)) {
      return ApiErrors.error(409, "RESOURCE_ALREADY_EXISTS", "A file already exists at the path.");
    }
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), TMP, ".part");
    Files.write(tmp, data);
    moveIntoPlace(tmp, target);
    return Response.json(200, Map.of());
  }

  private Response dbfsMkdirs(Request r) throws Exception {
    Path d = dbfsPath(json(r).path("path").asText(""));
    if (Files.isRegularFile(d)) {
      return ApiErrors.error(409, "RESOURCE_ALREADY_EXISTS", "A file exists at the path.");
    }
    Files.createDirectories(d);
    return Response.json(200, Map.of());
  }

  private Response dbfsDelete(Request r) throws Exception {
    JsonNode body = json(r);
    Path p = dbfsPath(body.path("path").asText(""));
    if (!Files.exists(p)) {
      return Response.json(200, Map.of());
    }
    if (Files.isDirectory(p)) {
      if (body.path("recursive").asBoolean(false)) {
        deleteTree(p);
      } else {
        try {
          Files.delete(p);
        } catch (DirectoryNotEmptyException e) {
          return ApiErrors.error(
              400, "IO_ERROR", "The directory is not empty; set recursive to delete it.");
        }
      }
    } else {
      Files.delete(p);
    }
    return Response.json(200, Map.of());
  }

  private Response dbfsMove(Request r) throws Exception {
    JsonNode body = json(r);
    String source = body.path("source_path").asText("");
    String dest = body.path("destination_path").asText("");
    Path from = dbfsPath(source);
    Path to = dbfsPath(dest);
    if (!Files.exists(from)) {
      return ApiErrors.error(
          404, "RESOURCE_DOES_NOT_EXIST", "No file or directory exists on path " + source + ".");
    }
    if (Files.exists(to)) {
      return ApiErrors.error(
          409,
          "RESOURCE_ALREADY_EXISTS",
          "A file or directory already exists at the input path " + dest + ".");
    }
    Files.createDirectories(to.getParent());
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    return Response.json(200, Map.of());
  }

  private Response dbfsStatus(Request r) throws Exception {
    String path = r.param("path").orElse("");
    Path p = dbfsPath(path);
    if (!Files.exists(p)) {
      return ApiErrors.error(
          404, "RESOURCE_DOES_NOT_EXIST", "No file or directory exists on path " + path + ".");
    }
    return Response.json(200, fileInfo(stripScheme(path), p));
  }

  private Response dbfsList(Request r) throws Exception {
    String path = r.param("path").orElse("");
    Path p = dbfsPath(path);
    if (!Files.exists(p)) {
      return ApiErrors.error(
          404, "RESOURCE_DOES_NOT_EXIST", "No file or directory exists on path " + path + ".");
    }
    ObjectNode body = JSON.createObjectNode();
    ArrayNode files = body.putArray("files");
    String base = stripScheme(path);
    base = base.endsWith("/") && base.length() > 1 ? base.substring(0, base.length() - 1) : base;
    if (Files.isRegularFile(p)) {
      files.add(fileInfo(base, p));
    } else {
      for (Path c : children(p)) {
        files.add(fileInfo((base.equals("/") ? "" : base) + "/" + c.getFileName(), c));
      }
    }
    if (files.isEmpty()) {
      body.remove("files");
    }
    return Response.json(200, body);
  }

  private Response dbfsRead(Request r) throws Exception {
    String path = r.param("path").orElse("");
    Path p = dbfsPath(path);
    if (!Files.isRegularFile(p)) {
      return ApiErrors.error(
          404, "RESOURCE_DOES_NOT_EXIST", "No file or directory exists on path " + path + ".");
    }
    long offset = Long.parseLong(r.param("offset").orElse("0"));
    long length = Long.parseLong(r.param("length").orElse(String.valueOf(512 * 1024)));
    if (length > DBFS_MAX_BLOCK) {
      return ApiErrors.error(
          400,
          "MAX_READ_SIZE_EXCEEDED",
          "Cannot read more than " + DBFS_MAX_BLOCK + " bytes at once.");
    }
    if (offset < 0 || length < 0) {
      return ApiErrors.invalid("offset and length must not be negative");
    }
    byte[] data;
    try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "r")) {
      long n = Math.max(0, Math.min(length, raf.length() - offset));
      data = new byte[(int) n];
      raf.seek(Math.min(offset, raf.length()));
      raf.readFully(data);
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("bytes_read", data.length);
    body.put("data", Base64.getEncoder().encodeToString(data));
    return Response.json(200, body);
  }

  private static ObjectNode fileInfo(String path, Path local) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    boolean dir = Files.isDirectory(local);
    n.put("path", path);
    n.put("is_dir", dir);
    n.put("file_size", dir ? 0 : Files.size(local));
    n.put("modification_time", Files.getLastModifiedTime(local).toMillis());
    return n;
  }

  private static String stripScheme(String path) {
    return path.startsWith("dbfs:") ? path.substring("dbfs:".length()) : path;
  }

  // ------------------------------------------------------------------------------------------
  // Workspace

  private Response wsMkdirs(Request r) throws Exception {
    Files.createDirectories(workspacePath(json(r).path("path").asText("")));
    return Response.json(200, Map.of());
  }

  private Response wsImport(Request r) throws Exception {
    JsonNode body = json(r);
    String path = body.path("path").asText("");
    Path target = workspacePath(path);
    if (!Files.isDirectory(target.getParent())) {
      return ApiErrors.error(
          404, "RESOURCE_DOES_NOT_EXIST", "The parent folder of " + path + " does not exist.");
    }
    if (Files.exists(target) && !body.path("overwrite").asBoolean(false)) {
      return ApiErrors.error(409, "RESOURCE_ALREADY_EXISTS", "Path (" + path + ") already exists.");
    }
    byte[] data;
    try {
      data = Base64.getDecoder().decode(body.path("content").asText(""));
    } catch (IllegalArgumentException e) {
      return ApiErrors.invalid("content is not valid base64");
    }
    Path tmp = Files.createTempFile(target.getParent(), TMP, ".part");
    Files.write(tmp, data);
    moveIntoPlace(tmp, target);
    return Response.json(200, Map.of());
  }

  private Response wsStatus(Request r) throws Exception {
    String path = r.param("path").orElse("");
    Path p = workspacePath(path);
    if (!Files.exists(p)) {
      return ApiErrors.error(404, "RESOURCE_DOES_NOT_EXIST", "Path (" + path + ") doesn't exist.");
    }
    ObjectNode n = JSON.createObjectNode();
    boolean dir = Files.isDirectory(p);
    boolean notebook =
        !dir
            && new String(head(p), StandardCharsets.UTF_8)
                .startsWith("# Databricks notebook source");
    n.put("object_type", dir ? "DIRECTORY" : notebook ? "NOTEBOOK" : "FILE");
    n.put("path", path);
    n.put("object_id", Math.abs((long) p.toString().hashCode()) + 1);
    if (!dir) {
      n.put("size", Files.size(p));
      n.put("modified_at", Files.getLastModifiedTime(p).toMillis());
    }
    if (notebook) {
      n.put("language", "PYTHON");
    }
    return Response.json(200, n);
  }

  private Response wsExport(Request r) throws Exception {
    String path = r.param("path").orElse("");
    Path p = workspacePath(path);
    if (!Files.isRegularFile(p)) {
      return ApiErrors.error(404, "RESOURCE_DOES_NOT_EXIST", "Path (" + path + ") doesn't exist.");
    }
    return Response.json(
        200,
        Map.of(
            "content",
            Base64.getEncoder().encodeToString(Files.readAllBytes(p)),
            "file_type",
            "py"));
  }

  private Response wsDelete(Request r) throws Exception {
    JsonNode body = json(r);
    String path = body.path("path").asText("");
    Path p = workspacePath(path);
    if (!Files.exists(p)) {
      return ApiErrors.error(404, "RESOURCE_DOES_NOT_EXIST", "Path (" + path + ") doesn't exist.");
    }
    if (Files.isDirectory(p) && body.path("recursive").asBoolean(false)) {
      deleteTree(p);
    } else {
      try {
        Files.delete(p);
      } catch (DirectoryNotEmptyException e) {
        return ApiErrors.error(400, "DIRECTORY_NOT_EMPTY", "Folder (" + path + ") is not empty.");
      }
    }
    return Response.json(200, Map.of());
  }

  // ------------------------------------------------------------------------------------------

  static JsonNode json(Request r) throws ApiException, IOException {
    byte[] bytes = r.bytes();
    if (bytes.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new ApiException(
            ApiErrors.error(400, "MALFORMED_REQUEST", "Request body must be a JSON object."));
      }
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ApiException(
          ApiErrors.error(
              400,
              "MALFORMED_REQUEST",
              "Could not parse request object: " + e.getOriginalMessage()));
    }
  }

  private static List<Path> children(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(TMP))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  private static byte[] head(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return in.readNBytes(64);
    }
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  static String encodeToken(int offset) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("o:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  static int decodeToken(String token) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      return s.startsWith("o:") ? Math.max(0, Integer.parseInt(s.substring(2))) : 0;
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  private static String httpDate(Instant t) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
  }
}
