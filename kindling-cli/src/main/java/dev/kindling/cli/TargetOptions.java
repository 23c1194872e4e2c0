package dev.kindling.cli;

import dev.kindling.core.Kindling;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by every command that talks to a target. */
final class TargetOptions {
  @Option(
      names = {"-t", "--target"},
      required = true,
      paramLabel = "TARGET",
      description = "Target name in the config file; 'local' is built in.")
  String target;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "kindling.yaml",
      description = "Config file with the targets (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (one JSON object on stdout).")
  Output output;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log progress at INFO on stderr.")
  boolean verbose;

  @Option(names = "--debug", description = "Log HTTP calls at DEBUG on stderr (secrets redacted).")
  boolean debug;

  Kindling open() {
    return Kindling.fromConfig(config, target);
  }

  boolean json() {
    return output == Output.json;
  }
}
