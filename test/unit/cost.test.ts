import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fanOutPageCalls, RECIPIENTS_PER_CALL } from '../../bench/call-counts.ts';
import { costReport } from '../../bench/cost.ts';
import { highThroughputCall, paths, SIZES, unitaryCall, webhookEvent } from '../../bench/cost-model.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('the cost model', () => {
  it('docs/cost.md shows what `npm run cost` prints', async () => {
    const doc = await readFile(path.join(root, 'docs/cost.md'), 'utf8');
    expect(doc).toContain(`\`\`\`\n${costReport()}\n\`\`\``);
  });

  it('prices the pinned calls: a unitary call is its transaction, the done claim, the indexes and 2 writes a message', () => {
    const claim = Math.ceil(SIZES.claimWithJobs / 1024);
    const transaction = 2 * (claim + 1 + RECIPIENTS_PER_CALL);
    // A copy (one item of the job's batch write) and a status update a message.
    const dispatchWrites = 2 * RECIPIENTS_PER_CALL;
    // The `due` index twice (the claim in, then out); the `profileMessages` index once a message.
    const indexes = 2 * claim + RECIPIENTS_PER_CALL;
    expect(unitaryCall().writeUnits).toBe(transaction + claim + indexes + dispatchWrites);
    expect(unitaryCall().apiRequests).toBe(1);
    expect(highThroughputCall().writeUnits).toBe(2 * (1 + RECIPIENTS_PER_CALL) + dispatchWrites);
    // The record looked for (one read unit, batched), then, over 1 KB, two units written once
    // with the attempt in a batch (no transaction's double units, ADR 0033); no job queued.
    expect(webhookEvent().writeUnits).toBe(2 + 1);
    expect(webhookEvent().sqsRequests).toBeCloseTo(0.1 + 0.2);
    expect(webhookEvent().readUnits).toBe(1);
  });

  it('a full fan-out page queues its next page instead of ending the shard', () => {
    expect(fanOutPageCalls(100, { last: false }).at(-1)).toBe('sqs:SendMessageCommand');
    expect(fanOutPageCalls(3, { last: true }).filter((c) => c === 'dynamodb:PutItemCommand')).toHaveLength(3);
  });

  it('every path costs something and SES dominates email', () => {
    for (const p of paths()) expect(p.usage.writeUnits).toBeGreaterThan(0);
    const unitary = paths()[0];
    expect(unitary?.usage.emails).toBe(1);
  });
});
