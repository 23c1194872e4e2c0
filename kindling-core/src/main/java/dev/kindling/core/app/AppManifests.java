package dev.kindling.core.app;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kindling.core.error.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * Reads {@code app.yaml}, the manifest of a data app.
 *
 * <p>The keys are those of Python Kindling ({@code name}, {@code version}, {@code description},
 * {@code entry_point}, {@code dependencies}, {@code environment}, {@code metadata}) plus {@code
 * runtime}, {@code main_class}, {@code jars}, {@code include} and {@code exclude}; see {@link
 * AppManifest}. Unknown keys, values of the wrong type, invalid YAML and a top level that is not a
 * mapping are all reported, each as a {@link dev.kindling.core.error.Problem} located at {@code
 * app.yaml: <key>} with a fix, all at once in one {@link
 * dev.kindling.core.error.ValidationException}.
 */
public final class AppManifests {
  /** The largest {@code app.yaml} or {@code kda-manifest.json} read: 1 MiB. */
  static final int MAX_MANIFEST_BYTES = 1 << 20;

  private static final ObjectMapper YAML = configure(YAMLMapper.builder().build());
  private static final ObjectMapper JSON = configure(JsonMapper.builder().build());

  private AppManifests() {}

  /**
   * Parses {@code appYaml}.
   *
   * @param appYaml the {@code app.yaml} file
   * @param defaultName the app name when {@code app.yaml} has none, usually the directory name
   * @return the manifest
   * @throws dev.kindling.core.error.ValidationException listing every problem of the file
   */
  public static AppManifest parse(Path appYaml, String defaultName) {
    Objects.requireNonNull(appYaml, "appYaml");
    Objects.requireNonNull(defaultName, "defaultName");
    Problems problems = new Problems();
    ManifestReader.Result result = parse(appYaml, defaultName, "the default name", problems);
    problems.throwIfAny();
    return result.manifest();
  }

  /**
   * Whether {@code name} is a valid app name: 1 to 128 letters, digits, {@code .}, {@code _} or
   * {@code -}, starting with a letter or digit, so that it is safe as a storage path segment.
   */
  public static boolean isValidName(String name) {
    return ManifestReader.isSafeName(name);
  }

  /** Parses {@code appYaml}, adding problems to {@code problems}; never throws for bad content. */
  static ManifestReader.Result parse(
      Path appYaml, String defaultName, String defaultNameOrigin, Problems problems) {
    JsonNode root;
    try {
      root = readTree(YAML, appYaml);
    } catch (JsonProcessingException e) {
      problems.add(
          ManifestReader.APP_YAML + location(e.getLocation()),
          "is not valid YAML: " + oneLine(e.getOriginalMessage()),
          "check the indentation and quoting there; each line is `key: value` or a `- item`");
      return invalid(defaultName);
    } catch (TooLargeException e) {
      problems.add(
          ManifestReader.APP_YAML,
          "is larger than " + MAX_MANIFEST_BYTES + " bytes",
          "app.yaml only describes the app; keep runtime settings in settings.yaml");
      return invalid(defaultName);
    } catch (IOException e) {
      problems.add(ManifestReader.APP_YAML, "cannot be read: " + e, "check the file's permissions");
      return invalid(defaultName);
    }
    return ManifestReader.read(
        root, ManifestReader.Source.APP_YAML, defaultName, defaultNameOrigin, YAML, problems);
  }

  /** Parses the JSON of a {@code kda-manifest.json}, adding problems to {@code problems}. */
  static ManifestReader.Result parseKdaManifest(
      byte[] json, String defaultName, String defaultNameOrigin, Problems problems) {
    JsonNode root;
    try (JsonParser parser = JSON.createParser(json)) {
      root = JSON.readTree(parser);
      if (parser.nextToken() != null) {
        throw new JsonParseException(parser, "unexpected content after the JSON object");
      }
    } catch (IOException e) {
      String message =
          e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.toString();
      problems.add(
          FileSelection.KDA_MANIFEST,
          "is not valid JSON: " + oneLine(message),
          "package the app again");
      return invalid(defaultName);
    }
    return ManifestReader.read(
        root, ManifestReader.Source.KDA_MANIFEST, defaultName, defaultNameOrigin, JSON, problems);
  }

  private static ManifestReader.Result invalid(String defaultName) {
    return new ManifestReader.Result(
        ManifestReader.defaults(ManifestReader.sanitizedName(defaultName)),
        Set.copyOf(ManifestReader.APP_YAML_KEYS));
  }

  private static JsonNode readTree(ObjectMapper mapper, Path file) throws IOException {
    if (Files.size(file) > MAX_MANIFEST_BYTES) {
      throw new TooLargeException();
    }
    try (InputStream in = Files.newInputStream(file);
        JsonParser parser = mapper.createParser(in)) {
      JsonNode root = mapper.readTree(parser);
      if (root != null && parser.nextToken() != null) {
        throw new JsonParseException(
            parser, "more than one YAML document (a second '---'); app.yaml must have one");
      }
      return root;
    }
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    mapper.configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    return mapper;
  }

  private static String location(JsonLocation loc) {
    return loc == null || loc.getLineNr() <= 0 ? "" : ": line " + loc.getLineNr();
  }

  private static String oneLine(String message) {
    String s = message == null ? "" : message.replaceAll("\\s+", " ").trim();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  private static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
  }
}
