package dev.kindling.core.deploy;

import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a deploy.
 *
 * @param jobId the platform job id, accepted by {@code runSparkJob}
 * @param deploymentPath where the release manifest lives (a platform path or URL)
 * @param release the release (deployment) id the job now points at
 * @param platform the platform id
 * @param filesTotal how many files the release holds
 * @param filesUploaded how many were uploaded (the rest were already stored)
 * @param bytesUploaded bytes uploaded
 * @param metadata platform details worth showing (item ids, URLs)
 */
public record DeploymentResult(
    String jobId,
    String deploymentPath,
    String release,
    String platform,
    int filesTotal,
    int filesUploaded,
    long bytesUploaded,
    Map<String, String> metadata) {
  public DeploymentResult {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(deploymentPath, "deploymentPath");
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(platform, "platform");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }
}
