import { describe, expect, it } from 'vitest';
import { audienceRequestKey, requestHash } from '../../shared/domain/idempotency.ts';

describe('request hashes', () => {
  it('are the same for a retry that lists its fields in another order, at any depth', () => {
    const first = { campaignId: 'c', context: { code: 'SALE', percent: 20 }, requestId: 'r' };
    const retry = { requestId: 'r', context: { percent: 20, code: 'SALE' }, campaignId: 'c' };
    expect(requestHash(retry)).toBe(requestHash(first));
  });

  it('ignore absent fields but not array order or any changed value', () => {
    const body = { campaignId: 'c', recipients: ['a', 'b'] };
    expect(requestHash({ ...body, context: undefined })).toBe(requestHash(body));
    expect(requestHash({ ...body, recipients: ['b', 'a'] })).not.toBe(requestHash(body));
    expect(requestHash({ ...body, campaignId: 'd' })).not.toBe(requestHash(body));
    expect(requestHash({ ...body, context: {} })).not.toBe(requestHash(body));
  });

  it('immediate and scheduled audience sends share one key space', () => {
    expect(audienceRequestKey('sale-1')).toBe('audience#sale-1');
  });
});
