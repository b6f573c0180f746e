import { describe, expect, it } from 'vitest';
import {
  AUDIENCE_CHUNK,
  audienceMessageId,
  MEMBER_SHARDS,
  memberShard,
  planChunks,
  runDelivery,
} from '../../shared/domain/audience.ts';

describe('audience runs', () => {
  it('finish their delivery only after the fan-out, with nothing queued or delayed', () => {
    expect(runDelivery('InProgress', { queued: 0, delay: 0 })).toEqual({
      delivery: 'InProgress',
      pendingMessageCount: 0,
    });
    expect(runDelivery('Succeeded', { queued: 300, delay: 2 })).toEqual({
      delivery: 'InProgress',
      pendingMessageCount: 302,
    });
    expect(runDelivery('Succeeded', { queued: 0, delay: 1 }).delivery).toBe('InProgress');
    expect(runDelivery('Succeeded', { queued: 0, delay: 0 })).toEqual({
      delivery: 'Finished',
      pendingMessageCount: 0,
    });
    expect(runDelivery('Failed', { queued: 0, delay: 0 }).delivery).toBe('Finished');
  });

  it('spread sends by scheduling: chunk i goes when the messages before it have used the rate', () => {
    const plan = planChunks(100, 50, 1_000);
    expect(plan.map((c) => c.size)).toEqual([20, 20, 20, 20, 20]);
    expect(plan.map((c) => c.atMs)).toEqual([1_000, 1_400, 1_800, 2_200, 2_600]);
    // 100 messages at 50/s take 2 s: the last chunk starts 1.6 s in and its 20 fill the 2nd second.
    const perSecond = planChunks(1_000, 500, 0);
    const lastStart = perSecond.at(-1)?.atMs ?? 0;
    expect((1_000 - AUDIENCE_CHUNK) / (lastStart / 1000)).toBeCloseTo(500, 0);
    expect(planChunks(7, 2000, 0)).toEqual([{ offset: 0, size: 7, atMs: 0 }]);
    expect(planChunks(0, 10, 0)).toEqual([]);
  });

  it('give each member of a run one deterministic message id', () => {
    const id = audienceMessageId('run-1', 'profile-1');
    expect(id).toBe(audienceMessageId('run-1', 'profile-1'));
    expect(id).not.toBe(audienceMessageId('run-2', 'profile-1'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('spread members evenly over the shards', () => {
    const counts = new Array<number>(MEMBER_SHARDS).fill(0);
    for (let i = 0; i < 16_000; i++)
      counts[memberShard(`profile-${i}`)] = (counts[memberShard(`profile-${i}`)] ?? 0) + 1;
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1_200);
    }
  });
});
