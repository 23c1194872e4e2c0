package dev.kindling.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobStatus;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Machine output: one JSON object on stdout, nothing else on stdout. */
enum Output {
  text,
  json;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static void printJson(PrintWriter out, Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
      out.flush();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> deployment(DeploymentResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", r.jobId());
    m.put("deployment_path", r.deploymentPath());
    m.put("release", r.release());
    m.put("platform", r.platform());
    m.put("files_total", r.filesTotal());
    m.put("files_uploaded", r.filesUploaded());
    m.put("bytes_uploaded", r.bytesUploaded());
    return m;
  }

  static Map<String, Object> run(JobStatus s, String jobId) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", s.runId());
    m.put("job_id", jobId);
    m.put("state", s.state().name());
    m.put("platform_state", s.platformState());
    m.put("start_time", s.startTime().map(Object::toString).orElse(null));
    m.put("end_time", s.endTime().map(Object::toString).orElse(null));
    m.put("error", s.error().orElse(null));
    m.put("location", s.logsLocation().orElse(null));
    return m;
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    double v = n;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
  }
}
