/**
 * Job schedules: {@link dev.kindling.core.schedule.JobSchedule} (standard five-field cron in an
 * IANA zone, or a fixed interval), which each platform converts to its own form.
 */
package dev.kindling.core.schedule;
