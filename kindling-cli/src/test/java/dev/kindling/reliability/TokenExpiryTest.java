package dev.kindling.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.http.AccessToken;
import dev.kindling.core.http.TokenProvider;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunPoller;
import dev.kindling.core.run.RunState;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.core.time.ManualScheduler;
import dev.kindling.core.time.Scheduler;
import dev.kindling.databricks.DatabricksPlatformService;
import dev.kindling.databricks.DatabricksSettings;
import dev.kindling.fabric.FabricPlatformService;
import dev.kindling.fabric.FabricSettings;
import dev.kindling.reliability.Rigs.Platform;
import dev.kindling.reliability.Rigs.Rig;
import dev.kindling.synapse.SynapseModule;
import dev.kindling.synapse.SynapsePlatformService;
import dev.kindling.synapse.SynapseSettings;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.TokenIssuer;
import dev.kindling.testkit.fabric.FabricEmulator;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tokens that expire in the middle of a long wait (issue 7): each emulator issues OAuth tokens that
 * expire after {@link #LIFETIME} of fake time; a run is awaited on a {@link ManualScheduler} for
 * several lifetimes (the app holds the run open until the test opens a gate file). The wait must
 * end with the run's real final state, the emulator must have seen several distinct tokens, no
 * request may have carried an expired token (they are refreshed before expiry) and no request may
 * have failed.
 */
class TokenExpiryTest {
  static final Duration LIFETIME = Duration.ofMinutes(15);
  static final Duration POLL = Duration.ofSeconds(30);
  static final Duration HELD_OPEN = Duration.ofHours(1);

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Platform.class)
  void aWaitSpanningSeveralTokenLifetimesCompletes(Platform p) throws Exception {
    java.io.PrintStream out = System.out;
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setOut(
        new java.io.PrintStream(
            new FaultMatrixTest.Tee(captured, out), true, StandardCharsets.UTF_8));
    System.setErr(
        new java.io.PrintStream(
            new FaultMatrixTest.Tee(captured, err), true, StandardCharsets.UTF_8));
    TokenIssuer issuer;
    try {
      issuer = waitThroughExpiringTokens(p);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    // tokens fetched mid-wait and the client secret never show in the DEBUG output
    String logs;
    synchronized (captured) {
      logs = captured.toString(StandardCharsets.UTF_8);
    }
    assertThat(logs).as("DEBUG output").contains("DEBUG");
    assertThat(logs).as("DEBUG output").doesNotContain(issuer.issued().toArray(String[]::new));
    assertThat(logs).doesNotContain(IssuedTokens.CLIENT_SECRET, Rigs.TOKEN);
  }

  @ParameterizedTest
  @EnumSource(Platform.class)
  void aTokenRevokedBeforeItsExpiryIsReplacedAfterOneRefusal(Platform p) throws Exception {
    ManualScheduler time = new ManualScheduler(Instant.now());
    TokenIssuer issuer = new TokenIssuer(time::now, LIFETIME);
    Rig rig = Rigs.start(p, tmp.resolve("emulator"));
    try {
      if (rig.emulator() instanceof FabricEmulator f) {
        f.tokenIssuer(issuer);
      } else if (rig.emulator() instanceof SynapseEmulator s) {
        s.tokenIssuer(issuer);
      } else if (rig.emulator() instanceof DatabricksEmulator d) {
        d.tokenIssuer(issuer);
      }
      PlatformService service =
          service(rig, time, new IssuedTokens(rig.emulator().baseUrl(), time));
      DeploymentResult deployed =
          new DataAppDeployer(
                  service,
                  Rigs.rules(p.id()),
                  Rigs.target(rig),
                  new RunPoller(time),
                  (Scheduler) time)
              .deployAsJob(app(), rig.config("revoked-job"));
      int issuedBefore = issuer.issuedCount();

      issuer.revokeIssued(); // well before their announced expiry

      assertThat(service.listJobs()).extracting(j -> j.jobId()).contains(deployed.jobId());
      assertThat(issuer.revokedRejections()).as("the revoked token was refused").isPositive();
      assertThat(issuer.issuedCount()).as("a fresh token was fetched").isGreaterThan(issuedBefore);
    } finally {
      rig.emulator().close();
    }
  }

  TokenIssuer waitThroughExpiringTokens(Platform p) throws Exception {
    ManualScheduler time = new ManualScheduler(Instant.now());
    TokenIssuer issuer = new TokenIssuer(time::now, LIFETIME);
    Rig rig = Rigs.start(p, tmp.resolve("emulator"));
    try {
      if (rig.emulator() instanceof FabricEmulator f) {
        f.tokenIssuer(issuer);
      } else if (rig.emulator() instanceof SynapseEmulator s) {
        s.tokenIssuer(issuer);
      } else if (rig.emulator() instanceof DatabricksEmulator d) {
        d.tokenIssuer(issuer);
      }
      IssuedTokens tokens = new IssuedTokens(rig.emulator().baseUrl(), time);
      PlatformService service = service(rig, time, tokens);
      TargetConfig target = Rigs.target(rig);
      DataAppDeployer deployer =
          new DataAppDeployer(
              service, Rigs.rules(p.id()), target, new RunPoller(time), (Scheduler) time);

      Path gate = tmp.resolve("open.gate");
      DeploymentResult deployed = deployer.deployAsJob(app(), rig.config("expiry-job"));
      String runId = deployer.runJob(deployed.jobId(), Map.of("gate", gate.toString()));
      rig.emulator().journal().clear(); // the deploy's probes for files not yet stored are 404s
      Instant waitStarted = time.now();
      CompletableFuture<JobStatus> wait = deployer.watch(runId, Duration.ofDays(30), s -> {});

      // the run is held open for an hour of fake time: polls on the fake clock, tokens expiring
      while (Duration.between(waitStarted, time.now()).compareTo(HELD_OPEN) < 0) {
        assertThat(wait).as("the run ended while held open").isNotDone();
        nextPoll(time);
      }
      Files.writeString(gate, "open");
      long realDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!wait.isDone() && System.nanoTime() < realDeadline) {
        nextPoll(time);
      }
      assertThat(wait).as("the wait ended").isDone();
      JobStatus status = wait.get();
      assertThat(status.state()).as(status.toString()).isEqualTo(RunState.SUCCEEDED);
      assertThat(deployer.logs(runId).output()).contains("gate opened");

      Duration waited = Duration.between(waitStarted, time.now());
      long lifetimes = waited.toSeconds() / LIFETIME.toSeconds();
      assertThat(lifetimes).as("the wait spans several token lifetimes").isGreaterThanOrEqualTo(4);
      assertThat(issuer.accepted())
          .as("distinct tokens the emulator accepted over " + waited)
          .hasSizeGreaterThanOrEqualTo((int) lifetimes);
      assertThat(issuer.expiredRejections()).as("requests with an expired token").isZero();
      assertThat(rig.emulator().journal().entries(e -> e.status() >= 400 || e.status() == 0))
          .as("failed requests during the wait")
          .isEmpty();
      assertThat(tokens.fetched()).as("tokens fetched").isGreaterThan(1);
      System.out.printf(
          "token expiry (%s): waited %s of fake time, %d polls, %d distinct tokens accepted,"
              + " %d fetched, 0 expired or failed requests%n",
          p.id(),
          waited,
          rig.emulator().journal().entries(e -> e.method().equals("GET")).size(),
          issuer.accepted().size(),
          tokens.fetched());
      return issuer;
    } finally {
      rig.emulator().close();
    }
  }

  /** Moves the fake clock to the next scheduled poll, which runs on this thread. */
  static void nextPoll(ManualScheduler time) {
    time.advanceTo(time.nextDueTime().orElse(time.now().plus(POLL)));
  }

  Path app() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(a.resolve("app.yaml"), "name: expiry-app\nversion: 1.0.0\n");
    Files.writeString(
        a.resolve("app.py"),
        "import os, sys, time\n"
            + "gates = [a.split('=')[-1] for a in sys.argv[1:] if a.endswith('.gate')]\n"
            + "deadline = time.time() + 120\n"
            + "while gates and not os.path.exists(gates[0]) and time.time() < deadline:\n"
            + "    time.sleep(0.02)\n"
            + "print('gate opened' if gates and os.path.exists(gates[0]) else 'no gate')\n");
    return a;
  }

  static PlatformService service(Rig rig, ManualScheduler time, TokenProvider tokens) {
    TargetConfig t = Rigs.target(rig);
    return switch (rig.platform()) {
      case FABRIC -> {
        FabricSettings s = FabricSettings.from(t);
        s =
            new FabricSettings(
                s.workspaceId(),
                s.lakehouseId(),
                s.artifactsPath(),
                s.environmentId(),
                s.apiUrl(),
                s.onelakeUrl(),
                POLL,
                s.auth());
        yield new FabricPlatformService(s, Clock.systemUTC(), time, tokens);
      }
      case DATABRICKS -> {
        DatabricksSettings s = DatabricksSettings.from(t);
        s = new DatabricksSettings(s.host(), s.artifactsRoot(), s.auth(), POLL);
        yield new DatabricksPlatformService(
            s,
            JobConfig.builder().clusterId(DatabricksEmulator.CLUSTER_ID).build(),
            Clock.systemUTC(),
            tokens,
            "all-apis",
            time);
      }
      case SYNAPSE ->
          SynapseModule.create(
              SynapseSettings.from(t),
              new SynapsePlatformService.Options(POLL, Duration.ofSeconds(15)),
              time,
              Clock.systemUTC(),
              tokens);
    };
  }

  /**
   * Client credentials against the emulator's token endpoint: what an Entra ID service principal
   * does, with the expiry the endpoint states measured on the fake clock.
   */
  static final class IssuedTokens implements TokenProvider {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI endpoint;
    private final Scheduler clock;
    private final HttpClient http = HttpClient.newHttpClient();
    static final String CLIENT_SECRET = "client-secret-" + Rigs.CLIENT_SECRET;
    private final Secret clientSecret = Secret.of(CLIENT_SECRET);
    private final AtomicInteger fetched = new AtomicInteger();

    IssuedTokens(URI base, Scheduler clock) {
      this.endpoint = base.resolve("/tenant/oauth2/v2.0/token");
      this.clock = clock;
    }

    @Override
    public AccessToken token(String scope) {
      String form =
          "grant_type=client_credentials&client_id=kindling-test&client_secret="
              + URLEncoder.encode(clientSecret.reveal(), StandardCharsets.UTF_8)
              + "&scope="
              + URLEncoder.encode(scope, StandardCharsets.UTF_8);
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(endpoint)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new AuthException("token endpoint answered " + r.statusCode());
        }
        JsonNode body = JSON.readTree(r.body());
        fetched.incrementAndGet();
        return new AccessToken(
            Secret.of(body.path("access_token").asText()),
            clock.now().plusSeconds(body.path("expires_in").asLong()));
      } catch (java.io.IOException e) {
        throw new AuthException("token endpoint: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AuthException("interrupted while getting a token");
      }
    }

    int fetched() {
      return fetched.get();
    }
  }
}
