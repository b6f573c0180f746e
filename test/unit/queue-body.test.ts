import { describe, expect, it } from 'vitest';
import { batchesOf } from '../../shared/queue/sqs-queues.ts';
import { MAX_QUEUE_MESSAGE_BYTES } from '../../shared/schemas/limits.ts';
import { queueBody, queueBodyBytes } from '../../shared/schemas/queue-body.ts';

// The characters SQS accepts: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF.
// The embedded engine also refuses everything above U+FFFF. Printable ASCII is inside both.
const SAFE = /^[\x20-\x7e]*$/;

describe('the queue wire form', () => {
  it('carries every string a user may send, intact and in printable ASCII', () => {
    const value = {
      subject: '🎉 Flash sale — 20 % off',
      odd: '\ufffe\uffff\u0000\u0001\u007f\u2028',
      cjk: '東京',
      lone: '\ud800',
    };
    const body = queueBody(value);
    expect(body).toMatch(SAFE);
    expect(JSON.parse(body)).toEqual(value);
  });

  it('leaves ASCII as JSON.stringify writes it, and counts bytes as SQS does', () => {
    const value = { a: 'plain text', n: 1 };
    expect(queueBody(value)).toBe(JSON.stringify(value));
    expect(queueBodyBytes({ s: '🎉' })).toBe(Buffer.byteLength(queueBody({ s: '🎉' })));
  });
});

describe('SendMessageBatch packing', () => {
  const entry = (bytes: number) => ({ body: 'x'.repeat(bytes) });

  it('puts at most ten messages in a batch', () => {
    expect(batchesOf(Array.from({ length: 25 }, () => entry(10))).map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('keeps every batch within the batch byte limit', () => {
    const big = Math.floor(MAX_QUEUE_MESSAGE_BYTES * 0.4);
    const batches = batchesOf(Array.from({ length: 5 }, () => entry(big)));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    for (const batch of batches) {
      expect(batch.reduce((sum, e) => sum + e.body.length, 0)).toBeLessThanOrEqual(MAX_QUEUE_MESSAGE_BYTES);
    }
  });

  it('refuses a message over the limit instead of sending a doomed batch', () => {
    expect(() => batchesOf([entry(MAX_QUEUE_MESSAGE_BYTES + 1)])).toThrow(/over/);
  });
});
