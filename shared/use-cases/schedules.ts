import {
  CampaignNotFoundError,
  CampaignNotTriggerableError,
  HeraldError,
  NotFoundError,
  ScheduleStateError,
  ValidationError,
} from '../domain/errors.ts';
import { audienceRequestKey, requestHash } from '../domain/idempotency.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { ScheduleRecord, ScheduleStore } from '../domain/schedule.ts';
import type { AudienceExecutionInput, ScheduledExecution } from '../schemas/execution.ts';
import { acceptOnce, claimRecord } from './claims.ts';
import { type AudienceTriggerDeps, runAudience, triggerAudience } from './trigger-audience.ts';

export interface ScheduleDeps extends AudienceTriggerDeps {
  readonly schedules: ScheduleStore;
}

export function toScheduledExecution(record: ScheduleRecord): ScheduledExecution {
  const { sandbox: _sandbox, context: _context, ...view } = record;
  return view;
}

/**
 * A run for later. The campaign must be a marketing campaign that is live or will be; whether it
 * may run is checked again when the time comes (the scheduler marks the schedule Failed, saying
 * why, if not). Idempotent on requestId like an immediate run.
 */
export async function scheduleAudience(
  deps: ScheduleDeps,
  caller: { sandbox: string; keyId: string },
  input: AudienceExecutionInput & { schedule: { executeAt: string } },
): Promise<ScheduledExecution> {
  const now = deps.clock.now();
  const executeAt = new Date(input.schedule.executeAt);
  if (executeAt.getTime() <= now.getTime()) {
    throw new ValidationError([{ path: 'body.schedule.executeAt', message: 'must be in the future' }]);
  }
  const campaign = await deps.campaigns.get(caller.sandbox, input.campaignId);
  if (!campaign) throw new CampaignNotFoundError(input.campaignId);
  if (campaign.category !== 'marketing') {
    throw new CampaignNotTriggerableError('not-marketing', 'Only marketing campaigns are sent to audiences.');
  }
  if (campaign.status !== 'live' && campaign.status !== 'scheduled') {
    throw new CampaignNotTriggerableError(
      'not-live',
      `The campaign is ${campaign.status}; it will never run.`,
      {
        campaignStatus: campaign.status,
      },
    );
  }
  const audienceId = await runAudience(deps, caller.sandbox, campaign, input);
  const record: ScheduleRecord = {
    sandbox: caller.sandbox,
    scheduleId: uuidv7(now.getTime()),
    campaignId: campaign.id,
    audience: { id: audienceId },
    executeAt: executeAt.toISOString(),
    scheduleStatus: 'Scheduled',
    ...(input.requestId ? { requestId: input.requestId } : {}),
    ...(input.context ? { context: input.context } : {}),
    createdAt: now.toISOString(),
    createdBy: caller.keyId,
  };
  const view = toScheduledExecution(record);
  if (!input.requestId) {
    await deps.schedules.create(record, undefined, now.getTime());
    return view;
  }
  // Nothing to queue now: the claim is written done, and answers repeats with this schedule.
  const idempotency = claimRecord(
    {
      sandbox: caller.sandbox,
      key: audienceRequestKey(input.requestId),
      bodyHash: requestHash(input),
      executionId: record.scheduleId,
      response: view,
    },
    now,
  );
  return acceptOnce(
    deps,
    idempotency,
    input.requestId,
    () => deps.schedules.create(record, idempotency, now.getTime()),
    view,
  );
}

export async function getSchedule(
  deps: Pick<ScheduleDeps, 'schedules'>,
  sandbox: string,
  scheduleId: string,
) {
  const record = await deps.schedules.get(sandbox, scheduleId);
  if (!record) throw new NotFoundError('Schedule', scheduleId);
  return toScheduledExecution(record);
}

/** The sandbox's scheduled audience runs, newest first. */
export async function listSchedules(
  deps: Pick<ScheduleDeps, 'schedules'>,
  sandbox: string,
  page: { limit: number; cursor?: string | undefined },
) {
  const found = await deps.schedules.list(sandbox, page);
  return { ...found, items: found.items.map(toScheduledExecution) };
}

/** Cancels a schedule that has not started; a cancelled schedule never runs. */
export async function cancelSchedule(
  deps: Pick<ScheduleDeps, 'schedules'>,
  sandbox: string,
  scheduleId: string,
) {
  const record = await deps.schedules.get(sandbox, scheduleId);
  if (!record) throw new NotFoundError('Schedule', scheduleId);
  if (!(await deps.schedules.transition(record, 'Scheduled', 'Cancelled'))) {
    const now = await deps.schedules.get(sandbox, scheduleId);
    throw new ScheduleStateError(now?.scheduleStatus ?? record.scheduleStatus);
  }
  return toScheduledExecution({ ...record, scheduleStatus: 'Cancelled' });
}

/**
 * The scheduler's part for schedules: each due one moves Scheduled → Triggering (so a cancel can no
 * longer win), starts its run (idempotent on the schedule, so a crash here only repeats), and ends
 * Triggered with the run's id — or Failed, saying why, when the campaign can no longer be sent.
 */
export async function runDueSchedules(deps: ScheduleDeps, batchLimit = 50): Promise<number> {
  let started = 0;
  for (const { sandbox, scheduleId } of await deps.schedules.listDue(deps.clock.now(), batchLimit)) {
    const schedule = await deps.schedules.get(sandbox, scheduleId);
    if (!schedule) continue;
    if (
      schedule.scheduleStatus === 'Scheduled' &&
      !(await deps.schedules.transition(schedule, 'Scheduled', 'Triggering'))
    )
      continue;
    if (schedule.scheduleStatus !== 'Scheduled' && schedule.scheduleStatus !== 'Triggering') continue;
    try {
      const run = await triggerAudience(
        deps,
        { sandbox, keyId: schedule.createdBy },
        {
          campaignId: schedule.campaignId,
          requestId: `schedule-${schedule.scheduleId}`,
          audience: schedule.audience,
          ...(schedule.context ? { context: schedule.context } : {}),
        },
      );
      await deps.schedules.transition(schedule, 'Triggering', 'Triggered', { executionId: run.executionId });
      started++;
    } catch (error) {
      if (!(error instanceof HeraldError)) throw error;
      await deps.schedules.transition(schedule, 'Triggering', 'Failed', {
        failure: `${error.title}: ${error.detail ?? ''}`,
      });
    }
  }
  return started;
}
