import type { Context, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { providerEventsWorker } from '../../functions/workers/provider-events.ts';
import type { ExecutionRecord, MessageRecord } from '../../shared/domain/execution.ts';
import { providerEventKey } from '../../shared/domain/provider-status.ts';
import { heraldTags, type ProviderStatusEvent } from '../../shared/domain/ses-events.ts';
import { sqsWorker } from '../../shared/queue/sqs-worker.ts';
import type { StatusChange } from '../../shared/schemas/execution.ts';
import type { StatusEvent } from '../../shared/schemas/status-event.ts';
import {
  applyProviderEvent,
  type ProviderEventsDeps,
  ProviderEventTooEarlyError,
} from '../../shared/use-cases/provider-events.ts';
import { fixedClock } from './fakes.ts';

/**
 * applyProviderEvent over in-memory ports that keep the store's contract: recordProviderEvent
 * appends only while the message is in `from` and lacks the key. The same flows run against
 * dynalite and fauxqs in test/integration/provider-events.test.ts.
 */

const sandbox = 'prod';
const executionId = '0d8f2f7a-6c1e-4a4b-9a57-0c7b2f9e3d11';
const messageId = '5a3e1c2b-8f4d-4e6a-b1c9-7d2e0f6a9b44';

function world(
  options: { enableWebhooks?: boolean; status?: MessageRecord['status']; heraldDelay?: true } = {},
) {
  const sentAt = '2030-01-01T10:00:00.000Z';
  let message: MessageRecord = {
    sandbox,
    executionId,
    messageId,
    userId: 'ada@example.org',
    namespace: 'email',
    address: 'ada@example.org',
    status: options.heraldDelay ? 'delay' : (options.status ?? 'sent'),
    history: [
      { status: 'queued', at: sentAt },
      ...(options.heraldDelay
        ? [{ status: 'delay' as const, at: sentAt, code: 'ses-TimeoutError' }]
        : options.status === 'queued'
          ? []
          : [{ status: 'sent' as const, at: sentAt }]),
    ],
  };
  const execution: ExecutionRecord = {
    sandbox,
    executionId,
    requestId: 'r-1',
    campaignId: 'c-1',
    campaignVersion: 3,
    channel: 'email',
    createdAt: sentAt,
    createdBy: 'key-1',
    ...(options.enableWebhooks !== undefined ? { enableWebhooks: options.enableWebhooks } : {}),
  };
  const published: StatusEvent[] = [];
  const suppressed: string[] = [];
  /** Before the next record, move the message as a concurrent event would. */
  let interleave: ((m: MessageRecord) => MessageRecord) | undefined;
  const deps: ProviderEventsDeps = {
    clock: fixedClock('2030-01-01T12:00:00.000Z'),
    executions: {
      getMessage: async (_s, _e, id, shard) =>
        id === messageId && shard === undefined ? structuredClone(message) : undefined,
      findMessage: async () => undefined,
      getExecutionRecord: async () => structuredClone(execution),
      recordProviderEvent: async (_m, from, change: StatusChange, key) => {
        if (interleave) {
          message = interleave(message);
          interleave = undefined;
        }
        if (message.providerEvents?.includes(key)) return { result: 'seen' };
        if (message.status !== from) return { result: 'moved', message: structuredClone(message) };
        message = {
          ...message,
          status: change.status,
          ...(change.code !== undefined ? { statusCode: change.code } : {}),
          history: [...message.history, change],
          providerEvents: [...(message.providerEvents ?? []), key],
        };
        return { result: 'recorded' };
      },
    },
    audienceExecutions: { get: async () => undefined },
    campaigns: { get: async () => ({ enableWebhooks: true }) },
    suppressions: {
      suppress: async (_s, channel, address, reason) => {
        suppressed.push(`${channel}:${address}:${reason.code}`);
      },
    },
    events: {
      publish: async (events) => {
        published.push(...events);
      },
    },
    // SES events never read these (the SMS opt-out tests run against the engines).
    origins: { sendingFrom: async () => [] },
    profiles: {
      findOwners: async () => new Map(),
      get: async () => undefined,
      save: async () => {},
    },
  };
  return {
    deps,
    published,
    suppressed,
    message: () => message,
    interleave: (f: (m: MessageRecord) => MessageRecord) => {
      interleave = f;
    },
  };
}

const event = (fields: Partial<ProviderStatusEvent> = {}): ProviderStatusEvent => ({
  kind: 'status',
  message: { sandbox, executionId, messageId },
  providerMessageId: '0100018c-ses-1',
  status: 'delivered',
  code: 'ses-delivery',
  reason: '250 2.6.0 Message received',
  suppress: false,
  addresses: ['ada@example.org'],
  at: '2030-01-01T10:00:03.000Z',
  provider: {},
  ...fields,
});

describe('applyProviderEvent', () => {
  it('appends the change and publishes it once, with an id made of the event key', async () => {
    const w = world({ enableWebhooks: true });
    const delivered = event();
    expect(await applyProviderEvent(w.deps, delivered)).toEqual({ outcome: 'recorded', status: 'delivered' });
    expect(w.message().history.at(-1)).toEqual({
      status: 'delivered',
      at: '2030-01-01T10:00:03.000Z',
      code: 'ses-delivery',
      reason: '250 2.6.0 Message received',
    });
    expect(w.published).toEqual([
      expect.objectContaining({
        kind: 'status-event',
        eventId: `${messageId}:${providerEventKey(delivered)}`,
        status: 'delivered',
        campaignType: 'transactional',
        campaignVersion: 3,
        address: 'ada@example.org',
        timestamp: '2030-01-01T10:00:03.000Z',
      }),
    ]);
  });

  it('changes nothing for the same event again, and publishes the same event id again', async () => {
    const w = world({ enableWebhooks: true });
    await applyProviderEvent(w.deps, event());
    const history = w.message().history;
    expect(await applyProviderEvent(w.deps, event())).toEqual({ outcome: 'repeat' });
    expect(w.message().history).toEqual(history);
    expect(w.published.map((e) => e.eventId)).toEqual([w.published[0]?.eventId, w.published[0]?.eventId]);
  });

  it('publishes nothing when the execution does not enable webhooks; older executions ask the campaign', async () => {
    const off = world({ enableWebhooks: false });
    await applyProviderEvent(off.deps, event());
    expect(off.message().status).toBe('delivered');
    expect(off.published).toEqual([]);
    const older = world();
    await applyProviderEvent(older.deps, event());
    expect(older.published).toHaveLength(1);
  });

  it('suppresses the address Herald sent to on a permanent bounce, also when the order rules leave the message', async () => {
    const w = world({ enableWebhooks: true });
    const bounce = event({
      status: 'bounce',
      code: 'ses-bounce-permanent-general',
      suppress: true,
      addresses: ['Ada@Example.org'],
    });
    await applyProviderEvent(w.deps, bounce);
    expect(w.suppressed).toEqual(['email:ada@example.org:ses-bounce-permanent-general']);
    const complaint = event({ status: 'complaint', code: 'ses-complaint-abuse', suppress: true });
    expect(await applyProviderEvent(w.deps, complaint)).toEqual({ outcome: 'ignored', reason: 'superseded' });
    expect(w.suppressed).toHaveLength(2);
    expect(w.message().status).toBe('bounce');
  });

  it('judges the event again when another event moved the message in between', async () => {
    const w = world({ enableWebhooks: true });
    w.interleave((m) => ({
      ...m,
      status: 'delay',
      history: [...m.history, { status: 'delay', at: '2030-01-01T10:00:01.000Z', code: 'ses-delay-x' }],
    }));
    expect(await applyProviderEvent(w.deps, event())).toEqual({ outcome: 'recorded', status: 'delivered' });
    expect(w.message().history.map((c) => c.status)).toEqual(['queued', 'sent', 'delay', 'delivered']);
    // A Send for a message Herald delayed itself applies, unless a Delivery got there first: then
    // it is judged again and left alone.
    const late = world({ enableWebhooks: true, heraldDelay: true });
    late.interleave((m) => ({ ...m, status: 'delivered' }));
    const send = event({ status: 'sent', code: 'ses-send' });
    expect(await applyProviderEvent(late.deps, send)).toEqual({ outcome: 'ignored', reason: 'superseded' });
    expect(late.published).toEqual([]);
  });

  it('throws (to be retried) while the message is still queued, and drops what it cannot find', async () => {
    const early = world({ status: 'queued' });
    await expect(applyProviderEvent(early.deps, event())).rejects.toBeInstanceOf(ProviderEventTooEarlyError);
    expect(early.message().history).toHaveLength(1);
    const w = world();
    const unknown = event({ message: { sandbox, executionId, messageId: 'nope' } });
    expect(await applyProviderEvent(w.deps, unknown)).toEqual({
      outcome: 'dropped',
      reason: 'no such message',
    });
  });
});

describe('the provider-events worker', () => {
  const record = (messageId: string, body: string): SQSRecord => ({
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'sns',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:provider-events',
    awsRegion: 'us-east-1',
  });
  const delivery = JSON.stringify({
    Type: 'Notification',
    MessageId: 'sns-1',
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:herald-dev-data-events',
    Message: JSON.stringify({
      eventType: 'Delivery',
      mail: {
        messageId: '0100018c-ses-1',
        destination: ['ada@example.org'],
        tags: Object.fromEntries(
          heraldTags({ sandbox, executionId, messageId }).map((tag) => [tag.Name, [tag.Value]]),
        ),
      },
      delivery: { timestamp: '2030-01-01T10:00:03.000Z', recipients: ['ada@example.org'] },
    }),
  });
  const context = { functionName: 'herald-provider-events', awsRequestId: 'req-1' } as Context;

  it('drops bodies it cannot use (the record succeeds) with a counted log line, and fails only a too-early one', async () => {
    const lines: { message: string; attributes: Record<string, unknown> }[] = [];
    const sink = {
      warn: (message: string, attributes: Record<string, unknown>) => lines.push({ message, attributes }),
      error: (message: string, attributes: Record<string, unknown>) => lines.push({ message, attributes }),
    };
    const early = world({ status: 'queued' });
    const handler = sqsWorker({ ...providerEventsWorker(sink), deps: () => early.deps, log: sink });
    const answer = await handler(
      {
        Records: [
          record('r1', 'not json'),
          record('r2', '{"Type":"Notification","Message":"[]"}'),
          record('r3', 'also not json'),
          record('r4', delivery),
        ],
      },
      context,
    );
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'r4' }] });
    const drops = lines.filter((line) => line.message === 'provider event dropped');
    expect(drops.map((line) => line.attributes)).toEqual(
      expect.arrayContaining([
        { reason: 'the body is not JSON', count: 1, sqsMessageId: expect.any(String) },
        { reason: 'the body is not JSON', count: 2, sqsMessageId: expect.any(String) },
        { reason: 'not an SES event document: (document)', count: 1, sqsMessageId: 'r2' },
      ]),
    );
    expect(drops).toHaveLength(3);
    expect(lines.filter((line) => line.message !== 'provider event dropped')).toEqual([
      expect.objectContaining({ attributes: expect.objectContaining({ sqsMessageId: 'r4' }) }),
    ]);
  });
});
