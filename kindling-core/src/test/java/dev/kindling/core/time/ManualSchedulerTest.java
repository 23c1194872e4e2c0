package dev.kindling.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
  private final ManualScheduler clock = new ManualScheduler();
  private final Instant start = ManualScheduler.DEFAULT_START;

  @Test
  void startsAtTheGivenInstantAndMovesOnlyWhenTold() {
    assertThat(clock.now()).isEqualTo(start);
    assertThat(new ManualScheduler(Instant.EPOCH).now()).isEqualTo(Instant.EPOCH);
    clock.advance(Duration.ofSeconds(3));
    assertThat(clock.now()).isEqualTo(start.plusSeconds(3));
  }

  @Test
  void runsDueTasksInTimeOrderWithTiesInScheduleOrder() {
    List<String> ran = new ArrayList<>();
    clock.schedule(() -> ran.add("c@3 " + clock.now()), Duration.ofSeconds(3));
    clock.schedule(() -> ran.add("a@1 " + clock.now()), Duration.ofSeconds(1));
    clock.schedule(() -> ran.add("b@1 " + clock.now()), Duration.ofSeconds(1));
    clock.schedule(() -> ran.add("late"), Duration.ofSeconds(10));

    clock.advance(Duration.ofSeconds(5));

    assertThat(ran)
        .containsExactly(
            "a@1 " + start.plusSeconds(1),
            "b@1 " + start.plusSeconds(1),
            "c@3 " + start.plusSeconds(3));
    assertThat(clock.now()).isEqualTo(start.plusSeconds(5));
    assertThat(clock.pendingTasks()).isEqualTo(1);
    assertThat(clock.nextDueTime()).contains(start.plusSeconds(10));
  }

  @Test
  void zeroDelayTasksWaitForTheNextAdvance() {
    List<String> ran = new ArrayList<>();
    clock.schedule(() -> ran.add("now"), Duration.ZERO);
    clock.schedule(() -> ran.add("negative"), Duration.ofSeconds(-5));
    assertThat(ran).isEmpty();
    clock.advance(Duration.ZERO);
    assertThat(ran).containsExactly("now", "negative");
    assertThat(clock.now()).isEqualTo(start);
  }

  @Test
  void tasksScheduledByTasksRunInTheSameAdvanceWhenDue() {
    List<Instant> ran = new ArrayList<>();
    Runnable[] chain = new Runnable[1];
    chain[0] =
        () -> {
          ran.add(clock.now());
          clock.schedule(chain[0], Duration.ofSeconds(2));
        };
    clock.schedule(chain[0], Duration.ofSeconds(2));

    clock.advance(Duration.ofSeconds(7));

    assertThat(ran)
        .containsExactly(start.plusSeconds(2), start.plusSeconds(4), start.plusSeconds(6));
    assertThat(clock.nextDueTime()).contains(start.plusSeconds(8));
  }

  @Test
  void cancelledTasksNeverRun() {
    List<String> ran = new ArrayList<>();
    ScheduledTask task = clock.schedule(() -> ran.add("x"), Duration.ofSeconds(1));
    assertThat(task.cancel()).isTrue();
    assertThat(task.cancel()).isFalse();
    assertThat(task.isCancelled()).isTrue();
    assertThat(task.isDone()).isTrue();
    assertThat(clock.pendingTasks()).isZero();
    clock.advance(Duration.ofSeconds(2));
    assertThat(ran).isEmpty();
  }

  @Test
  void aTaskThatRanCannotBeCancelled() {
    ScheduledTask task = clock.schedule(() -> {}, Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(task.isDone()).isTrue();
    assertThat(task.cancel()).isFalse();
    assertThat(task.isCancelled()).isFalse();
  }

  @Test
  void sleepRecordsAndAdvancesRunningDueTasks() throws InterruptedException {
    List<Instant> ran = new ArrayList<>();
    clock.schedule(() -> ran.add(clock.now()), Duration.ofSeconds(1));

    clock.sleep(Duration.ofSeconds(2));
    clock.sleep(Duration.ofMillis(500));

    assertThat(ran).containsExactly(start.plusSeconds(1));
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(500));
    assertThat(clock.totalSlept()).isEqualTo(Duration.ofMillis(2500));
    assertThat(clock.now()).isEqualTo(start.plusMillis(2500));
  }

  @Test
  void sleepHonoursInterruption() {
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> clock.sleep(Duration.ofSeconds(1)))
        .isInstanceOf(InterruptedException.class);
    assertThat(clock.now()).isEqualTo(start);
  }

  @Test
  void runUntilIdleJumpsFromTaskToTask() {
    List<Instant> ran = new ArrayList<>();
    clock.schedule(() -> ran.add(clock.now()), Duration.ofHours(2));
    clock.schedule(() -> ran.add(clock.now()), Duration.ofMinutes(1));

    assertThat(clock.runUntilIdle()).isEqualTo(2);

    assertThat(ran).containsExactly(start.plusSeconds(60), start.plusSeconds(7200));
    assertThat(clock.now()).isEqualTo(start.plusSeconds(7200));
  }

  @Test
  void timeNeverGoesBackwards() {
    clock.advance(Duration.ofSeconds(10));
    clock.advanceTo(start);
    assertThat(clock.now()).isEqualTo(start.plusSeconds(10));
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFailingTaskStopsTheAdvanceAndLeavesTheRestQueued() {
    List<String> ran = new ArrayList<>();
    clock.schedule(
        () -> {
          throw new IllegalStateException("boom");
        },
        Duration.ofSeconds(1));
    clock.schedule(() -> ran.add("after"), Duration.ofSeconds(2));

    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(5))).hasMessage("boom");
    assertThat(ran).isEmpty();
    clock.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("after");
  }
}
