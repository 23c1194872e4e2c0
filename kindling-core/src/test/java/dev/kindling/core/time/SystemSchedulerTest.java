package dev.kindling.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SystemSchedulerTest {
  private final SystemScheduler scheduler = SystemScheduler.get();

  @Test
  void isOneSharedInstance() {
    assertThat(SystemScheduler.get()).isSameAs(scheduler);
  }

  @Test
  void runsTasksOnItsDaemonThreads() throws Exception {
    CompletableFuture<Thread> ranOn = new CompletableFuture<>();
    scheduler.schedule(() -> ranOn.complete(Thread.currentThread()), Duration.ofMillis(1));

    Thread thread = ranOn.get(10, TimeUnit.SECONDS);

    assertThat(thread.getName()).matches("kindling-scheduler-[1-" + SystemScheduler.THREADS + "]");
    assertThat(thread.isDaemon()).isTrue();
  }

  @Test
  void aFailingTaskDoesNotStopLaterOnes() throws Exception {
    scheduler.schedule(
        () -> {
          throw new IllegalStateException("expected by the test");
        },
        Duration.ZERO);
    CompletableFuture<Boolean> later = new CompletableFuture<>();
    scheduler.schedule(() -> later.complete(true), Duration.ofMillis(1));
    assertThat(later.get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void cancelsTasksThatHaveNotRun() {
    ScheduledTask task = scheduler.schedule(() -> {}, Duration.ofDays(1));
    assertThat(task.cancel()).isTrue();
    assertThat(task.isCancelled()).isTrue();
    assertThat(task.isDone()).isTrue();
  }

  @Test
  void readsTheSystemClockAndToleratesHugeOrNegativeDelays() throws InterruptedException {
    Instant before = Instant.now();
    assertThat(scheduler.now()).isBetween(before, Instant.now());
    scheduler.sleep(Duration.ZERO);
    scheduler.sleep(Duration.ofSeconds(-1));
    ScheduledTask far = scheduler.schedule(() -> {}, Duration.ofSeconds(Long.MAX_VALUE));
    assertThat(far.cancel()).isTrue();
  }
}
