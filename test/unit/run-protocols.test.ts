import { describe, expect, it } from 'vitest';
import type { AudienceExecutionRecord, AudienceExecutionStore } from '../../shared/domain/audience.ts';
import { audienceMessageId, audienceRun } from '../../shared/domain/audience.ts';
import type { CampaignRecord } from '../../shared/domain/campaign.ts';
import type { ExecutionStore, MessageRecord } from '../../shared/domain/execution.ts';
import { dispatchJobFor, statusEvent, unitaryRun } from '../../shared/domain/execution.ts';
import type { ProfileRecord } from '../../shared/domain/profile.ts';
import { dispatchJobSchema } from '../../shared/schemas/dispatch-job.ts';
import { type StatusEvent, statusEventSchema } from '../../shared/schemas/status-event.ts';
import { type DispatchDeps, dispatchJob } from '../../shared/use-cases/dispatch.ts';
import { type FanoutDeps, fanOutPage } from '../../shared/use-cases/fanout.ts';

/**
 * The run protocols written once in the domain: each kind of run's dispatch header, the one
 * dispatch-job builder, and the one status-event builder that both the dispatcher and the fanout
 * (for its exclusions) publish through.
 */
const campaign = {
  id: 'c1',
  category: 'transactional',
  channel: 'email',
  enableWebhooks: true,
  content: { subject: 's', text: 't' },
} satisfies Pick<CampaignRecord, 'id' | 'category' | 'channel' | 'enableWebhooks' | 'content'>;

const run: AudienceExecutionRecord = {
  sandbox: 'sb',
  executionId: 'run-1',
  campaignId: 'c2',
  campaignVersion: 3,
  audienceId: 'a1',
  channel: 'email',
  identityNamespace: 'email',
  content: { subject: 'hello', text: 'there' },
  enableWebhooks: true,
  throttleRatePerSec: 100,
  status: 'InProgress',
  shardsDone: [],
  windowEndsAt: '2030-01-01T12:00:00.000Z',
  createdAt: '2030-01-01T00:00:00.000Z',
  createdBy: 'k',
};

const recipient = { messageId: 'm1', userId: 'u@example.com', namespace: 'email' };

describe('the dispatch-job builder', () => {
  it("builds a unitary call's job from the campaign and the execution", () => {
    const execution = { sandbox: 'sb', executionId: 'e1', requestId: 'r1', campaignVersion: 7 };
    const job = dispatchJobFor(unitaryRun(campaign, execution), [recipient]);
    expect(job).toEqual({
      kind: 'unitary',
      sandbox: 'sb',
      executionId: 'e1',
      requestId: 'r1',
      campaignId: 'c1',
      campaignVersion: 7,
      campaignType: 'transactional',
      channel: 'email',
      enableWebhooks: true,
      content: campaign.content,
      recipients: [recipient],
    });
    expect(dispatchJobSchema.parse(job)).toEqual(job);
  });

  it("builds an audience run's jobs from the run: marketing, its context, its id for a missing requestId", () => {
    const job = dispatchJobFor(audienceRun({ ...run, context: { season: 'spring' } }), [recipient]);
    expect(job).toEqual({
      kind: 'audience',
      sandbox: 'sb',
      executionId: 'run-1',
      requestId: 'run-1',
      campaignId: 'c2',
      campaignVersion: 3,
      campaignType: 'marketing',
      channel: 'email',
      enableWebhooks: true,
      content: run.content,
      context: { season: 'spring' },
      recipients: [recipient],
    });
    expect(dispatchJobSchema.parse(job)).toEqual(job);
    expect(audienceRun({ ...run, requestId: 'r9' }).requestId).toBe('r9');
    expect(audienceRun(run)).not.toHaveProperty('context');
  });
});

describe('the status-event builder', () => {
  const message = { messageId: 'm1', userId: 'u@example.com', namespace: 'email' };

  it('names the run, the recipient and the change; the id counts the change in the history', () => {
    const event = statusEvent(
      audienceRun(run),
      { ...message, profileId: 'p1' },
      { status: 'exclude', at: '2030-01-01T00:00:01.000Z', code: 'no-consent', reason: 'No consent.' },
      0,
    );
    expect(event).toEqual({
      kind: 'status-event',
      eventId: 'm1:0',
      sandbox: 'sb',
      executionId: 'run-1',
      requestId: 'run-1',
      campaignId: 'c2',
      campaignVersion: 3,
      campaignType: 'marketing',
      channel: 'email',
      messageId: 'm1',
      userId: 'u@example.com',
      namespace: 'email',
      status: 'exclude',
      code: 'no-consent',
      reason: 'No consent.',
      timestamp: '2030-01-01T00:00:01.000Z',
      profileId: 'p1',
    });
    expect(statusEventSchema.parse(event)).toEqual(event);
  });

  it('adds what the dispatcher knows, and leaves out what is absent', () => {
    const header = unitaryRun(campaign, {
      sandbox: 'sb',
      executionId: 'e1',
      requestId: 'r1',
      campaignVersion: 1,
    });
    const event = statusEvent(header, message, { status: 'sent', at: 'now' }, 2, {
      address: '+15550100',
      sms: { encoding: 'GSM', parts: 2 },
    });
    expect(event).toMatchObject({ eventId: 'm1:2', address: '+15550100', encoding: 'GSM', messageParts: 2 });
    for (const absent of ['code', 'reason', 'profileId', 'kind', 'enableWebhooks', 'content']) {
      if (absent === 'kind') expect(event.kind).toBe('status-event');
      else expect(event).not.toHaveProperty(absent);
    }
  });

  it("gives the dispatcher's and the fanout's exclusions the same shape and fields", async () => {
    const fromDispatch = await dispatcherExclusion();
    const fromFanout = await fanoutExclusion();
    for (const event of [fromDispatch, fromFanout]) expect(statusEventSchema.parse(event)).toEqual(event);
    expect(Object.keys(fromDispatch).sort()).toEqual(Object.keys(fromFanout).sort());
    expect(fromDispatch).toMatchObject({ status: 'exclude', eventId: 'm1:1', campaignType: 'transactional' });
    expect(fromFanout).toMatchObject({
      status: 'exclude',
      eventId: `${audienceMessageId('run-1', 'p1')}:0`,
      campaignType: 'marketing',
      requestId: 'run-1',
    });
  });
});

/** The dispatcher's event for a recipient whose profile is gone (no address: excluded). */
async function dispatcherExclusion(): Promise<StatusEvent> {
  const published: StatusEvent[] = [];
  const message: MessageRecord = {
    sandbox: 'sb',
    executionId: 'e1',
    messageId: 'm1',
    userId: 'u1',
    namespace: 'crm',
    profileId: 'p1',
    status: 'queued',
    history: [{ status: 'queued', at: '2030-01-01T00:00:00.000Z' }],
  };
  const executions: Pick<ExecutionStore, 'transition'> = { transition: async () => true };
  const deps: DispatchDeps = {
    executions: executions as ExecutionStore,
    reads: {
      read: async () => ({
        messages: new Map([[message.messageId, message]]),
        profiles: new Map<string, ProfileRecord>(),
        suppressed: new Set<string>(),
      }),
    },
    suppressions: { suppressedAmong: async () => new Set<string>(), suppress: async () => {} },
    providers: {
      resolve: async () => {
        throw new Error('an excluded message needs no provider');
      },
    },
    retries: { sendDelayed: async () => {} },
    ledger: { next: async () => undefined, reserve: async (_s, _c, _n, _r, now) => now },
    unsubscribeUrl: () => 'https://herald.example/u/token',
    profiles: { findOwners: async () => new Map(), get: async () => undefined, save: async () => {} },
    health: { record: async () => {} },
    events: { publish: async (events) => void published.push(...events) },
    clock: { now: () => new Date('2030-01-01T00:00:01.000Z') },
  };
  const header = unitaryRun(campaign, {
    sandbox: 'sb',
    executionId: 'e1',
    requestId: 'r1',
    campaignVersion: 1,
  });
  await dispatchJob(
    deps,
    dispatchJobFor(header, [{ messageId: 'm1', userId: 'u1', namespace: 'crm', profileId: 'p1' }]),
  );
  expect(published).toHaveLength(1);
  return published[0] as StatusEvent;
}

/** The fanout's event for a member without marketing consent. */
async function fanoutExclusion(): Promise<StatusEvent> {
  const published: StatusEvent[] = [];
  const profile: ProfileRecord = {
    sandbox: 'sb',
    profileId: 'p1',
    identities: [{ namespace: 'email', id: 'u@example.com' }],
    attributes: {},
    consent: {},
    dataset: 'profiles',
    revision: 1,
    createdAt: '',
    modifiedAt: '',
  };
  const audienceExecutions: Partial<AudienceExecutionStore> = {
    get: async () => run,
    nextSlot: async () => undefined,
    shardDone: async () => {},
  };
  const deps: FanoutDeps = {
    audienceExecutions: audienceExecutions as AudienceExecutionStore,
    audiences: { membersPage: async () => ({ profileIds: ['p1'] }) },
    profiles: { getMany: async () => new Map([['p1', profile]]) },
    suppressions: { suppressedAmong: async () => new Set<string>(), suppress: async () => {} },
    executions: { createMessages: async () => [] },
    dispatch: { send: async () => {}, sendDelayed: async () => {} },
    fanoutQueue: { send: async () => {} },
    events: { publish: async (events) => void published.push(...events) },
    clock: { now: () => new Date('2030-01-01T00:00:01.000Z') },
  };
  await fanOutPage(deps, { kind: 'fanout', sandbox: 'sb', executionId: 'run-1', shard: 0 });
  expect(published).toHaveLength(1);
  return published[0] as StatusEvent;
}
