import { describe, expect, it } from 'vitest';
import { normalizeIdentity } from '../../shared/domain/identity.ts';

describe('identity normalisation', () => {
  it.each([
    ['email', '  Ann.Lee@Example.COM ', 'ann.lee@example.com'],
    ['phone', '+1 (415) 555-0123', '+14155550123'],
    ['phone', '0044 20 7946 0958', '+442079460958'],
    ['phone', '+33.1.23.45.67.89', '+33123456789'],
    ['ecid', ' 12345678901234567890123456789012345678 ', '12345678901234567890123456789012345678'],
    ['crmId', '  CRM-001 ', 'CRM-001'],
  ])('%s %j → %s', (namespace, raw, value) => {
    expect(normalizeIdentity(namespace, raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['email', 'not-an-email'],
    ['email', 'a@b'],
    ['email', `${'x'.repeat(250)}@example.com`],
    ['phone', '12345'],
    ['phone', '+0123456789'],
    ['phone', 'call me'],
    ['ecid', '1234'],
    ['crmId', ''],
    ['crmId', 'a\u0000b'],
    ['crmId', 'x'.repeat(257)],
  ])('%s %j is refused', (namespace, raw) => {
    expect(normalizeIdentity(namespace, raw).ok).toBe(false);
  });
});
