package dev.kindling.fabric;

import dev.kindling.core.error.NotFoundException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A self-contained Fabric run id: {@code fabric:<workspace>:<item>:<job instance>:<app>:<run tag>}.
 * The three GUIDs address the job instance; app and run tag find the shim's {@code result.json}.
 * Any process configured for the target can use it.
 */
record FabricRunId(
    String workspaceId, String itemId, String instanceId, String app, String runTag) {
  private static final String G =
      "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";
  private static final String NAME = "([A-Za-z0-9][A-Za-z0-9._-]{0,127})";
  private static final Pattern FORM =
      Pattern.compile("fabric:" + G + ":" + G + ":" + G + ":" + NAME + ":" + NAME);

  static FabricRunId parse(String runId) {
    Matcher m = runId == null ? null : FORM.matcher(runId);
    if (m == null || !m.matches()) {
      throw new NotFoundException(
          "'"
              + runId
              + "' is not a Fabric run id (fabric:<workspace>:<item>:<instance>:<app>:<run tag>)");
    }
    return new FabricRunId(
        m.group(1).toLowerCase(Locale.ROOT),
        m.group(2).toLowerCase(Locale.ROOT),
        m.group(3).toLowerCase(Locale.ROOT),
        m.group(4),
        m.group(5));
  }

  @Override
  public String toString() {
    return "fabric:" + workspaceId + ":" + itemId + ":" + instanceId + ":" + app + ":" + runTag;
  }
}
