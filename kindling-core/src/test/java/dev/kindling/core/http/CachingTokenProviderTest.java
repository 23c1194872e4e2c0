package dev.kindling.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.config.Secret;
import dev.kindling.core.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachingTokenProviderTest {
  private final ManualScheduler clock = new ManualScheduler();
  private final List<String> fetched = new ArrayList<>();

  /** Hands out t1, t2, ... valid for one hour from the fake now. */
  private final TokenProvider source =
      scope -> {
        fetched.add(scope);
        return new AccessToken(
            Secret.of("t" + fetched.size()), clock.now().plus(Duration.ofHours(1)));
      };

  private final CachingTokenProvider cache = new CachingTokenProvider(source, clock);

  private String token(String scope) {
    return cache.token(scope).value().reveal();
  }

  @Test
  void reusesATokenWhileItIsFresh() {
    assertThat(token("a")).isEqualTo("t1");
    clock.advance(Duration.ofMinutes(54));
    assertThat(token("a")).isEqualTo("t1");
    assertThat(fetched).containsExactly("a");
  }

  @Test
  void refreshesWithinFiveMinutesOfExpiry() {
    assertThat(token("a")).isEqualTo("t1");
    clock.advance(Duration.ofMinutes(55));
    assertThat(token("a")).isEqualTo("t2");
    assertThat(fetched).containsExactly("a", "a");
  }

  @Test
  void invalidateForcesAFreshToken() {
    assertThat(token("a")).isEqualTo("t1");
    cache.invalidate("a");
    assertThat(token("a")).isEqualTo("t2");
    cache.invalidate("never-asked");
  }

  @Test
  void cachesEachScopeApart() {
    assertThat(token("a")).isEqualTo("t1");
    assertThat(token("b")).isEqualTo("t2");
    cache.invalidate("a");
    assertThat(token("b")).isEqualTo("t2");
    assertThat(token("a")).isEqualTo("t3");
  }

  @Test
  void staticTokensNeverExpireAndNeverShow() {
    StaticTokenProvider pat = StaticTokenProvider.of(Secret.of("dapi-secret"));
    CachingTokenProvider cached = new CachingTokenProvider(pat, clock);
    AccessToken t = cached.token("any");
    clock.advance(Duration.ofDays(3650));
    assertThat(cached.token("other")).isEqualTo(t);
    assertThat(t.toString()).doesNotContain("dapi-secret");
  }
}
