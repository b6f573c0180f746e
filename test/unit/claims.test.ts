import { describe, expect, it } from 'vitest';
import {
  IdempotencyKeyReusedError,
  RequestInProgressError,
  TooLargeError,
} from '../../shared/domain/errors.ts';
import type { ClaimStore, IdempotencyRecord } from '../../shared/domain/idempotency.ts';
import type { DispatchJob } from '../../shared/schemas/dispatch-job.ts';
import type { PendingJobs } from '../../shared/schemas/fanout-job.ts';
import { MAX_ITEM_BYTES, MAX_QUEUE_MESSAGE_BYTES } from '../../shared/schemas/limits.ts';
import {
  answerRepeat,
  assertJobsFit,
  finishClaim,
  LOCK_MS,
  redriveStaleClaims,
} from '../../shared/use-cases/claims.ts';
import { fixedClock } from './fakes.ts';

class FakeClaimStore implements ClaimStore {
  readonly records = new Map<string, IdempotencyRecord>();
  async get(sandbox: string, key: string) {
    return this.records.get(`${sandbox}/${key}`);
  }
  async complete(sandbox: string, key: string) {
    const record = this.records.get(`${sandbox}/${key}`);
    if (!record) return;
    const { jobs: _jobs, ...rest } = record;
    this.records.set(`${sandbox}/${key}`, { ...rest, state: 'done' });
  }
  async relock(record: IdempotencyRecord, lockedUntil: number) {
    const stored = this.records.get(`${record.sandbox}/${record.key}`);
    if (stored?.state !== 'pending' || stored.lockedUntil !== record.lockedUntil) return false;
    this.records.set(`${record.sandbox}/${record.key}`, { ...stored, lockedUntil });
    return true;
  }
  async listStale(now: Date, limit: number) {
    return [...this.records.values()]
      .filter((r) => r.state === 'pending' && r.lockedUntil <= now.getTime())
      .slice(0, limit)
      .map(({ sandbox, key }) => ({ sandbox, key }));
  }
}

const job = (executionId: string, pad = ''): DispatchJob => ({
  kind: 'unitary',
  sandbox: 'prod',
  executionId,
  requestId: 'r',
  campaignId: 'c',
  campaignVersion: 1,
  campaignType: 'transactional',
  channel: 'email',
  enableWebhooks: false,
  content: { subject: pad || 's' },
  recipients: [],
});

function setup() {
  const clock = fixedClock('2030-01-01T00:00:00.000Z');
  const claims = new FakeClaimStore();
  const sent: PendingJobs[] = [];
  let failures = 0;
  const jobs = {
    send: async (pending: PendingJobs) => {
      if (failures > 0) {
        failures--;
        throw new Error('queue down');
      }
      sent.push(pending);
    },
  };
  const deps = { claims, jobs, clock };
  const pending = (key: string, lockedUntil = clock.now().getTime() + LOCK_MS): IdempotencyRecord => {
    const record: IdempotencyRecord = {
      sandbox: 'prod',
      key,
      bodyHash: 'h1',
      state: 'pending',
      lockedUntil,
      executionId: `e-${key}`,
      response: { executionId: `e-${key}` },
      expiresAt: 0,
      jobs: { dispatch: [job(`e-${key}`)] },
    };
    claims.records.set(`prod/${key}`, record);
    return record;
  };
  return { deps, claims, clock, sent, pending, failNext: (n = 1) => (failures = n) };
}

describe('finishing a claim', () => {
  it('queues its jobs and marks it done, dropping the jobs', async () => {
    const { deps, claims, sent, pending } = setup();
    const record = pending('k');
    expect(await finishClaim(deps, record)).toBe(true);
    expect(sent).toEqual([record.jobs]);
    expect(claims.records.get('prod/k')).toMatchObject({ state: 'done' });
    expect(claims.records.get('prod/k')?.jobs).toBeUndefined();
  });

  it('keeps the claim pending when queueing fails, and does not throw', async () => {
    const { deps, claims, pending, failNext } = setup();
    failNext();
    expect(await finishClaim(deps, pending('k'))).toBe(false);
    expect(claims.records.get('prod/k')?.state).toBe('pending');
  });
});

describe('a repeated request', () => {
  it('with another body is refused', async () => {
    const { deps, pending } = setup();
    await expect(answerRepeat(deps, { bodyHash: 'other' }, pending('k'), 'k')).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
  });

  it('gets the first answer once done, and 409 while the first still holds its lock', async () => {
    const { deps, claims, pending, sent } = setup();
    const record = pending('k');
    await expect(answerRepeat(deps, record, record, 'k')).rejects.toBeInstanceOf(RequestInProgressError);
    expect(sent).toEqual([]);
    await claims.complete('prod', 'k');
    expect(
      await answerRepeat(deps, record, (await claims.get('prod', 'k')) as IdempotencyRecord, 'k'),
    ).toEqual(record.response);
  });

  it('finishes the first one’s work after its lock lapsed', async () => {
    const { deps, clock, claims, pending, sent } = setup();
    const record = pending('k');
    clock.advance(LOCK_MS + 1);
    expect(await answerRepeat(deps, record, record, 'k')).toEqual(record.response);
    expect(sent).toEqual([record.jobs]);
    expect(claims.records.get('prod/k')?.state).toBe('done');
  });
});

describe('the sweeper', () => {
  it('finishes only claims whose lock lapsed, and each once', async () => {
    const { deps, clock, claims, pending, sent } = setup();
    pending('stale', clock.now().getTime() - 1);
    pending('fresh');
    expect(await redriveStaleClaims(deps)).toBe(1);
    expect(sent.map((p) => p.dispatch?.[0]?.executionId)).toEqual(['e-stale']);
    expect(await redriveStaleClaims(deps)).toBe(0);
    clock.advance(LOCK_MS + 1);
    expect(await redriveStaleClaims(deps)).toBe(1);
    expect(claims.records.get('prod/fresh')?.state).toBe('done');
  });

  it('leaves a claim it could not queue for the next sweep', async () => {
    const { deps, clock, claims, pending, failNext } = setup();
    pending('stale', clock.now().getTime() - 1);
    failNext();
    expect(await redriveStaleClaims(deps)).toBe(0);
    expect(claims.records.get('prod/stale')?.state).toBe('pending');
    clock.advance(LOCK_MS + 1);
    expect(await redriveStaleClaims(deps)).toBe(1);
  });
});

describe('the size of jobs', () => {
  it('fits when the queued form and the stored form are within their limits', () => {
    expect(() => assertJobsFit({ dispatch: [job('e', 'x'.repeat(100_000))] }, 'body')).not.toThrow();
  });

  it('is refused, naming the field, when the queued form is over the queue limit', () => {
    // 'é' is 2 bytes stored but 6 bytes escaped on the queue.
    const big = job('e', 'é'.repeat(Math.ceil(MAX_QUEUE_MESSAGE_BYTES / 6) + 10));
    expect(() => assertJobsFit({ dispatch: [big] }, 'body.recipients')).toThrow(TooLargeError);
  });

  it('is refused when the stored form is over the item limit', () => {
    const jobs = {
      dispatch: [job('a', 'x'.repeat(MAX_ITEM_BYTES / 2)), job('b', 'x'.repeat(MAX_ITEM_BYTES / 2))],
    };
    try {
      assertJobsFit(jobs, 'body.recipients');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TooLargeError);
      expect((error as TooLargeError).status).toBe(413);
      expect((error as TooLargeError).fields[0]?.path).toBe('body.recipients');
    }
  });
});
