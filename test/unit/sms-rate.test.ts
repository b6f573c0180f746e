import { describe, expect, it } from 'vitest';
import type {
  ChannelProvider,
  OutgoingMessage,
  ResolvedProvider,
  SendLedger,
  SendOutcome,
} from '../../shared/domain/channel.ts';
import { toChannelConfigurationView } from '../../shared/domain/channel-configuration.ts';
import type { ExecutionStore, MessageRecord } from '../../shared/domain/execution.ts';
import { dispatchJobFor, unitaryRun } from '../../shared/domain/execution.ts';
import type { ProfileRecord } from '../../shared/domain/profile.ts';
import {
  DEFAULT_PARTS_PER_SECOND,
  effectiveRateLimit,
  fitting,
  slotTimes,
} from '../../shared/domain/sms-rate.ts';
import type { StatusChange } from '../../shared/schemas/execution.ts';
import { type DispatchDeps, dispatchJob, PACE_WINDOW_MS } from '../../shared/use-cases/dispatch.ts';

/**
 * SMS rate limits count parts (ADR 0028). The dispatcher runs here with in-memory parts: a ledger
 * that books as the DynamoDB one does (one next-free-slot per configuration), a `sleep` seam that
 * records the waits instead of waiting, a fixed clock, and providers that record what they get.
 */
describe('SMS origination defaults and part slots', () => {
  it('defaults a configuration without its own rate to its origination type, in parts per second', () => {
    expect(DEFAULT_PARTS_PER_SECOND).toEqual({
      '10dlc': 1,
      'toll-free': 3,
      'short-code': 100,
      'long-code': 1,
      'sender-id': undefined,
    });
    const tollFree = { type: 'sns-sms', originationType: 'toll-free' } as const;
    expect(effectiveRateLimit({ provider: tollFree })).toBe(3);
    expect(effectiveRateLimit({ provider: tollFree, rateLimitPerSec: 7 })).toBe(7);
    expect(
      effectiveRateLimit({ provider: { type: 'sns-sms', originationType: 'sender-id' } }),
    ).toBeUndefined();
    expect(effectiveRateLimit({ provider: { type: 'ses' } })).toBeUndefined();
  });

  it('shows the limit in force and what it counts on the configuration', () => {
    const record = {
      sandbox: 'sb',
      id: 'c1',
      name: 'Toll-free',
      channel: 'sms',
      provider: {
        type: 'end-user-messaging-sms',
        originationIdentity: '+18005550100',
        originationType: 'toll-free',
      },
      isDefault: false,
      createdAt: '',
      modifiedAt: '',
      revision: 0,
    } as const;
    expect(toChannelConfigurationView(record)).toMatchObject({
      effectiveRateLimitPerSec: 3,
      rateLimitUnit: 'parts',
    });
    expect(toChannelConfigurationView(record)).not.toHaveProperty('rateLimitPerSec');
  });

  it('spaces each message by the parts before it, and fits whole messages in a capacity', () => {
    expect(slotTimes(1000, [2, 1, 3], 2)).toEqual([1000, 2000, 2500]);
    expect(fitting([2, 2, 2], 5)).toBe(2);
    expect(fitting([9], 5)).toBe(1); // a message longer than the window still goes, alone
    expect(fitting([1], 0)).toBe(0);
  });
});

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
/** 161 GSM characters: two parts. */
const TWO_PARTS = 'x'.repeat(161);

class MemoryLedger implements SendLedger {
  readonly booked = new Map<string, number>();
  readonly reservations: { configurationId: string; count: number; ratePerSec: number }[] = [];
  async next(_sandbox: string, id: string) {
    return this.booked.get(id);
  }
  async reserve(_sandbox: string, id: string, count: number, ratePerSec: number, nowMs: number) {
    this.reservations.push({ configurationId: id, count, ratePerSec });
    const start = Math.max(this.booked.get(id) ?? 0, nowMs);
    this.booked.set(id, start + Math.round((count / ratePerSec) * 1000));
    return start;
  }
}

function recordingProvider(name: string, answer: SendOutcome): ChannelProvider & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return {
    name,
    idempotent: false,
    sent,
    send: async (message) => {
      sent.push(message);
      return answer;
    },
  };
}

const accepted: SendOutcome = { kind: 'accepted', providerMessageId: 'p', events: [] };
const down: SendOutcome = {
  kind: 'retry-later',
  code: 'sns-InternalErrorException',
  reason: 'Internal error',
  throttled: false,
  providerDown: true,
};

async function run(resolved: ResolvedProvider, ledger: MemoryLedger, count: number, body = TWO_PARTS) {
  const messages = Array.from(
    { length: count },
    (_, i): MessageRecord => ({
      sandbox: 'sb',
      executionId: 'e1',
      messageId: `m${i}`,
      userId: `+1415555${String(i).padStart(4, '0')}`,
      namespace: 'phone',
      status: 'queued',
      history: [{ status: 'queued', at: '2030-01-01T00:00:00.000Z' }],
    }),
  );
  const recorded = new Map<string, StatusChange[]>();
  const waits: number[] = [];
  const delayed: number[] = [];
  const executions: Pick<ExecutionStore, 'transition' | 'claimSend'> = {
    transition: async (message, _from, changes) => {
      recorded.set(message.messageId, [...changes]);
      return true;
    },
    claimSend: async () => ({ claim: 'claimed' }),
  };
  const deps: DispatchDeps = {
    executions: executions as ExecutionStore,
    reads: {
      read: async () => ({
        messages: new Map(messages.map((m) => [m.messageId, m])),
        profiles: new Map<string, ProfileRecord>(),
        suppressed: new Set<string>(),
      }),
    },
    suppressions: { suppressedAmong: async () => new Set<string>(), suppress: async () => {} },
    providers: { resolve: async () => resolved },
    retries: {
      sendDelayed: async (jobs) => void delayed.push(...jobs.map((j) => j.job.recipients.length)),
    },
    ledger,
    unsubscribeUrl: () => 'https://herald.example/u/token',
    profiles: { findOwners: async () => new Map(), get: async () => undefined, save: async () => {} },
    health: { record: async () => {} },
    events: { publish: async () => {} },
    clock: { now: () => new Date(NOW) },
    sleep: async (ms) => void waits.push(ms),
  };
  const header = unitaryRun(
    {
      id: 'c1',
      category: 'transactional',
      channel: 'sms',
      enableWebhooks: false,
      content: { body },
      channelConfigurationId: 'primary',
    },
    { sandbox: 'sb', executionId: 'e1', requestId: 'r1', campaignVersion: 1 },
  );
  await dispatchJob(
    deps,
    dispatchJobFor(
      header,
      messages.map((m) => ({
        messageId: m.messageId,
        userId: m.userId,
        namespace: 'phone',
        channelData: { mobilePhoneNumber: m.userId },
      })),
    ),
  );
  return { recorded, waits: waits.sort((a, b) => a - b), delayed };
}

describe('dispatch paces SMS by parts', () => {
  it('books two slots per two-part message at a toll-free 3 parts/s', async () => {
    const ledger = new MemoryLedger();
    const provider = recordingProvider('sns-sms', accepted);
    const { waits } = await run({ provider, configurationId: 'primary', rateLimitPerSec: 3 }, ledger, 4);
    expect(ledger.reservations).toEqual([{ configurationId: 'primary', count: 8, ratePerSec: 3 }]);
    expect(ledger.booked.get('primary')).toBe(NOW + Math.round((8 / 3) * 1000));
    // The first goes now; each next one after the two parts before it (667 ms at 3 parts/s).
    expect(waits).toEqual([667, 1333, 2000]);
    expect(provider.sent).toHaveLength(4);
  });

  it('queues again what does not fit in the pacing window, counting parts', async () => {
    const ledger = new MemoryLedger();
    const provider = recordingProvider('sns-sms', accepted);
    // 1 part/s (10DLC): the 15 s window holds 15 parts, so 7 two-part messages; 3 wait for later.
    const { delayed } = await run({ provider, configurationId: 'primary', rateLimitPerSec: 1 }, ledger, 10);
    expect(PACE_WINDOW_MS).toBe(15_000);
    expect(provider.sent).toHaveLength(7);
    expect(delayed).toEqual([3]);
    expect(ledger.reservations).toEqual([{ configurationId: 'primary', count: 14, ratePerSec: 1 }]);
  });

  it("sends moved messages at the fallback's own rate, booking its ledger by parts", async () => {
    const ledger = new MemoryLedger();
    const primary = recordingProvider('sns-sms', down);
    const fallback = recordingProvider('end-user-messaging-sms', accepted);
    const { recorded, waits } = await run(
      {
        provider: primary,
        configurationId: 'primary',
        fallback: { provider: fallback, configurationId: 'backup', rateLimitPerSec: 2 },
      },
      ledger,
      3,
    );
    expect(fallback.sent).toHaveLength(3);
    expect(ledger.reservations).toEqual([
      { configurationId: 'backup', count: 2, ratePerSec: 2 },
      { configurationId: 'backup', count: 2, ratePerSec: 2 },
      { configurationId: 'backup', count: 2, ratePerSec: 2 },
    ]);
    expect(waits).toEqual([1000, 2000]);
    expect([...recorded.values()].map((changes) => changes[0]?.code)).toEqual([
      'failover',
      'failover',
      'failover',
    ]);
  });

  it('leaves a moved message delayed when the fallback is booked past the window, naming its limit', async () => {
    const ledger = new MemoryLedger();
    ledger.booked.set('backup', NOW + PACE_WINDOW_MS + 1000);
    const primary = recordingProvider('sns-sms', down);
    const fallback = recordingProvider('end-user-messaging-sms', accepted);
    const { recorded, delayed } = await run(
      {
        provider: primary,
        configurationId: 'primary',
        fallback: { provider: fallback, configurationId: 'backup', rateLimitPerSec: 1 },
      },
      ledger,
      1,
    );
    expect(fallback.sent).toHaveLength(0);
    expect(ledger.reservations).toEqual([]);
    expect(delayed).toEqual([1]);
    const [change] = recorded.get('m0') ?? [];
    expect(change).toMatchObject({ status: 'delay', code: 'sns-InternalErrorException' });
    expect(change?.reason).toContain('its fallback backup is at its rate limit (1/s)');
  });
});
