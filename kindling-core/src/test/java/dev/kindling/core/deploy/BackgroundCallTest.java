package dev.kindling.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.KindlingException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BackgroundCallTest {
  @Test
  void joinReturnsTheResultOfACallThatRanOnAnotherThread() {
    Thread caller = Thread.currentThread();
    try (BackgroundCall<Thread> call = BackgroundCall.start("who", Thread::currentThread)) {
      Thread ran = call.join();
      assertThat(ran).isNotSameAs(caller);
      assertThat(ran.isDaemon()).isTrue();
    }
  }

  @Test
  void joinThrowsWhatTheCallThrew() {
    KindlingException boom = new KindlingException("lookup refused");
    try (BackgroundCall<String> call =
        BackgroundCall.start(
            "looking up",
            () -> {
              throw boom;
            })) {
      assertThatThrownBy(call::join).isSameAs(boom);
    }
  }

  @Test
  void closingAnUnjoinedCallInterruptsItAndWaitsForItToEnd() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean ended = new AtomicBoolean();
    BackgroundCall<String> call =
        BackgroundCall.start(
            "waiting",
            () -> {
              started.countDown();
              try {
                new CountDownLatch(1).await(1, TimeUnit.MINUTES); // a retry wait
              } catch (InterruptedException e) {
                interrupted.set(true);
              }
              ended.set(true);
              return "late";
            });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    call.close(); // the work it overlapped failed: its answer is not wanted

    assertThat(interrupted).isTrue();
    assertThat(ended).isTrue();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}
