import { getCountries } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_DEFAULT_NAMESPACE,
  isInternationalPhone,
  isPhoneCountry,
  isStandardNamespace,
  normalizeEmail,
} from '../../shared/domain/identity.ts';
import { normalizeIdentity, normalizePhone } from '../../shared/domain/phone.ts';
import { PHONE_COUNTRIES } from '../../shared/domain/phone-countries.ts';

const ecid = '12345678901234567890123456789012345678';

describe('identity normalisation', () => {
  it.each([
    ['email', '  Ann.Lee@Example.COM ', 'ann.lee@example.com'],
    ['email', 'first+tag@sub.example.co.uk', 'first+tag@sub.example.co.uk'],
    ['phone', '+1 (415) 555-0123', '+14155550123'],
    ['phone', '0044 20 7946 0958', '+442079460958'],
    ['phone', '0044-20-7946-0958', '+442079460958'],
    ['phone', '+33.1.23.45.67.89', '+33123456789'],
    ['phone', '  +4915112345678  ', '+4915112345678'],
    ['ecid', ` ${ecid} `, ecid],
    ['crmId', '  CRM-001 ', 'CRM-001'],
    ['crmId', 'two words', 'two words'],
    ['crmId', 'é-ü-中文', 'é-ü-中文'],
    ['crmId', 'x'.repeat(256), 'x'.repeat(256)],
    ['crmId', `  ${'x'.repeat(256)}  `, 'x'.repeat(256)],
  ])('%s %j → %s', (namespace, raw, value) => {
    expect(normalizeIdentity(namespace, raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['email', 'not-an-email'],
    ['email', 'a@b'],
    ['email', 'a b@example.com'],
    ['email', '@example.com'],
    ['email', 'ann@-example.com'],
    ['email', 'ann@@example.com'],
    ['email', ''],
    ['email', `${'x'.repeat(250)}@example.com`],
    ['phone', '12345'],
    ['phone', '4155550123'],
    ['phone', '+0123456789'],
    ['phone', '+123456'],
    ['phone', '+1234567890123456'],
    ['phone', '+1 415 555 0123 ext 5'],
    ['phone', 'call me'],
    ['phone', ''],
    ['ecid', '1234'],
    ['ecid', ecid.slice(1)],
    ['ecid', `${ecid}9`],
    ['ecid', `${ecid.slice(1)}a`],
    ['crmId', ''],
    ['crmId', '   '],
    ['crmId', 'a\u0000b'],
    ['crmId', 'a\tb'],
    ['crmId', 'a\nb'],
    ['crmId', 'a\u007fb'],
    ['crmId', 'x'.repeat(257)],
  ])('%s %j is refused', (namespace, raw) => {
    const result = normalizeIdentity(namespace, raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toBe('');
  });

  it('says what a valid value looks like', () => {
    expect(normalizePhone('4155550123')).toMatchObject({
      message: expect.stringContaining('defaultCountry'),
    });
    expect(normalizePhone('12', { defaultCountry: 'US' })).toMatchObject({
      message: expect.stringContaining('of US or in E.164'),
    });
    expect(normalizeEmail('x')).toEqual({ ok: false, message: 'must be an email address' });
    expect(normalizePhone('12345')).toMatchObject({ ok: false, message: expect.stringContaining('E.164') });
    expect(normalizeIdentity('ecid', '1')).toMatchObject({ message: expect.stringContaining('38 digits') });
    expect(normalizeIdentity('crmId', '')).toMatchObject({ message: expect.stringContaining('256') });
  });

  it("reads national phone numbers in the sandbox's default country", () => {
    const us = { defaultCountry: 'US' };
    // The numbers of AJO's published samples: possible in length for the US plan.
    expect(normalizePhone('1234567890', us)).toEqual({ ok: true, value: '+11234567890' });
    expect(normalizePhone('111-111-1111', us)).toEqual({ ok: true, value: '+11111111111' });
    expect(normalizePhone('0921234567', us)).toEqual({ ok: true, value: '+10921234567' });
    expect(normalizePhone('0921234567', { defaultCountry: 'TW' })).toEqual({
      ok: true,
      value: '+886921234567',
    });
    expect(normalizePhone('(415) 555-0123', us)).toEqual({ ok: true, value: '+14155550123' });
    expect(normalizePhone(' 415.555.0123 ', us)).toEqual({ ok: true, value: '+14155550123' });
    expect(normalizePhone('06 12 34 56 78', { defaultCountry: 'FR' })).toEqual({
      ok: true,
      value: '+33612345678',
    });
    expect(normalizeIdentity('phone', '1234567890', us)).toEqual({ ok: true, value: '+11234567890' });
  });

  it('ignores the default country for international numbers', () => {
    const fr = { defaultCountry: 'FR' };
    expect(normalizePhone('+1 415 555 0123', fr)).toEqual({ ok: true, value: '+14155550123' });
    expect(normalizePhone('0044 20 7946 0958', fr)).toEqual({ ok: true, value: '+442079460958' });
  });

  it.each([
    ['12345', 'US'],
    ['555-0123', 'US'],
    ['1234567890123', 'US'],
    ['415 555 0123 ext. 12', 'US'],
    ['test@gmail.com', 'US'],
    ['1-800-FLOWERS', 'US'],
    ['0612345', 'FR'],
    ['4155550123', 'XX'],
    ['4155550123', 'us'],
    ['1'.repeat(80), 'US'],
  ])('%j in %s is refused', (raw, defaultCountry) => {
    expect(normalizePhone(raw, { defaultCountry }).ok).toBe(false);
  });

  it('knows which countries it can read national numbers of, and which numbers are national', () => {
    expect(['US', 'FR', 'TW', 'GB'].map(isPhoneCountry)).toEqual([true, true, true, true]);
    expect(['XX', 'us', 'USA', ''].map(isPhoneCountry)).toEqual([false, false, false, false]);
    expect(['+14155550123', ' 0044 20', '4155550123', '(415) 555'].map(isInternationalPhone)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('knows the standard namespaces and the default namespace of each channel', () => {
    expect(['email', 'phone', 'ecid', 'crmId', 'Email'].map(isStandardNamespace)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(CHANNEL_DEFAULT_NAMESPACE).toEqual({ email: 'email', sms: 'phone', push: 'ecid' });
  });
});

describe('the phone countries Herald lists', () => {
  it("are libphonenumber-js's own, so the static list (kept out of bundles that parse no phone) cannot drift", () => {
    expect([...PHONE_COUNTRIES].sort()).toEqual([...getCountries()].sort());
  });
});
