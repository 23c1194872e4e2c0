/**
 * Injected time: a {@link dev.kindling.core.time.Scheduler} gives the current instant, runs tasks
 * later and sleeps. Production code uses {@link dev.kindling.core.time.SystemScheduler}; tests use
 * {@link dev.kindling.core.time.ManualScheduler}, a fake clock that only moves when told to, so
 * retry and polling tests run in milliseconds.
 */
package dev.kindling.core.time;
