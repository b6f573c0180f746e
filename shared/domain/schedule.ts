import type { ScheduledExecution } from '../schemas/execution.ts';
import type { ClaimResult, IdempotencyRecord } from './idempotency.ts';
import type { Page } from './page.ts';

/** Scheduled audience executions: stored until their time, then started by the scheduler. */

export interface ScheduleRecord extends ScheduledExecution {
  readonly sandbox: string;
  /** Shared context for the run, kept until it starts. */
  readonly context?: Record<string, unknown>;
}

export interface ScheduleStore {
  /** Writes the schedule (with its idempotency record when there is one) unless the key is taken. */
  create(
    schedule: ScheduleRecord,
    idempotency: IdempotencyRecord | undefined,
    nowMs: number,
  ): Promise<ClaimResult>;
  get(sandbox: string, scheduleId: string): Promise<ScheduleRecord | undefined>;
  /** Moves the status when it is still `from`; false otherwise. */
  transition(
    schedule: ScheduleRecord,
    from: ScheduleRecord['scheduleStatus'],
    to: ScheduleRecord['scheduleStatus'],
    extra?: { executionId?: string; failure?: string },
  ): Promise<boolean>;
  /** The sandbox's schedules, newest first, behind an opaque cursor. */
  list(sandbox: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<ScheduleRecord>>;
  /** Schedules whose time has come and that are not finished (Scheduled or Triggering). */
  listDue(now: Date, limit: number): Promise<{ sandbox: string; scheduleId: string }[]>;
}
