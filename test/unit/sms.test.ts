import { describe, expect, it } from 'vitest';
import { smsSegments } from '../../shared/domain/sms.ts';

describe('SMS segments', () => {
  it('fit 160 GSM characters in one part and 153 in each part after that', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM', parts: 1 });
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM', parts: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM', parts: 2 });
    expect(smsSegments('a'.repeat(306))).toEqual({ encoding: 'GSM', parts: 2 });
    expect(smsSegments('a'.repeat(307))).toEqual({ encoding: 'GSM', parts: 3 });
    expect(smsSegments('Ç€ürö @£$ ÄÖÑÜ§¿')).toMatchObject({ encoding: 'GSM' });
  });

  it('count extension characters twice and never split one across parts', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM', parts: 1 });
    expect(smsSegments('€'.repeat(81))).toEqual({ encoding: 'GSM', parts: 2 });
    // 152 septets, then a two-septet € that does not fit the first part's 153.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(151)}`)).toEqual({ encoding: 'GSM', parts: 2 });
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({ encoding: 'GSM', parts: 3 });
  });

  it('fall back to UCS-2 for anything else: 70 code units, then 67 a part, emoji counting two', () => {
    expect(smsSegments('ç')).toEqual({ encoding: 'UNICODE', parts: 1 });
    expect(smsSegments('я'.repeat(70))).toEqual({ encoding: 'UNICODE', parts: 1 });
    expect(smsSegments('я'.repeat(71))).toEqual({ encoding: 'UNICODE', parts: 2 });
    expect(smsSegments('😀'.repeat(35))).toEqual({ encoding: 'UNICODE', parts: 1 });
    // 134 code units would fill two parts, but the emoji's pair cannot straddle the first boundary.
    expect(smsSegments(`${'я'.repeat(66)}😀${'я'.repeat(66)}`)).toEqual({ encoding: 'UNICODE', parts: 3 });
  });
});
