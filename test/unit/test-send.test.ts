import { describe, expect, it } from 'vitest';
import type { CampaignRecord } from '../../shared/domain/campaign.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { testAddress, testedCampaign, testSendWindow } from '../../shared/domain/test-send.ts';

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields.map((f) => f.path);
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('test sends', () => {
  it('count in fixed UTC minutes, with the seconds left until the next one', () => {
    expect(testSendWindow(new Date('2030-01-01T10:00:00.000Z'))).toEqual({
      window: '2030-01-01T10:00:00.000Z',
      retryAfterSeconds: 60,
    });
    expect(testSendWindow(new Date('2030-01-01T10:00:59.400Z'))).toEqual({
      window: '2030-01-01T10:00:00.000Z',
      retryAfterSeconds: 1,
    });
    expect(testSendWindow(new Date('2030-01-01T10:01:00.000Z')).window).toBe('2030-01-01T10:01:00.000Z');
  });

  it("take the channel's one address, normalised, and name any other field or a bad address", () => {
    expect(testAddress('email', { emailAddress: ' Ann@Example.ORG ' })).toBe('ann@example.org');
    expect(testAddress('sms', { mobilePhoneNumber: '+33 6 12 34 56 78' })).toBe('+33612345678');
    expect(testAddress('push', { pushInfo: { token: 'tok-1', platform: 'fcm' } })).toBe('tok-1');
    expect(issuesOf(() => testAddress('email', {}))).toEqual(['body.channelData.emailAddress']);
    expect(issuesOf(() => testAddress('sms', { mobilePhoneNumber: 'call me' }))).toEqual([
      'body.channelData.mobilePhoneNumber',
    ]);
    expect(issuesOf(() => testAddress('push', { pushInfo: { token: 'has space' } }))).toEqual([
      'body.channelData.pushInfo.token',
    ]);
    expect(
      issuesOf(() =>
        testAddress('sms', { emailAddress: 'a@example.org', mobilePhoneNumber: '+33612345678' }),
      ),
    ).toEqual(['body.channelData.emailAddress']);
  });

  it('send the pending draft version by default, the active definition for live', () => {
    const record = {
      name: 'Live',
      content: { subject: 'live' },
      status: 'live',
      version: 2,
      draft: { name: 'Edited', content: { subject: 'draft' } },
    } as unknown as CampaignRecord; // only the members testedCampaign reads
    expect(testedCampaign(record, 'draft')).toMatchObject({
      name: 'Edited',
      content: { subject: 'draft' },
      version: 2,
    });
    expect(testedCampaign(record, 'live')).toMatchObject({ name: 'Live', content: { subject: 'live' } });
    const { draft: _none, ...plain } = record;
    expect(testedCampaign(plain as CampaignRecord, 'draft')).toMatchObject({ name: 'Live' });
    const neverActivated = { ...plain, status: 'draft', version: 0 } as CampaignRecord;
    expect(testedCampaign(neverActivated, 'draft')).toMatchObject({ name: 'Live' });
    expect(issuesOf(() => testedCampaign(neverActivated, 'live'))).toEqual(['body.version']);
  });
});
