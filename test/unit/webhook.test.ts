import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  activeSecrets,
  deliveryHeaders,
  feedbackPayload,
  generateSigningSecret,
  rotateSecrets,
  sign,
  webhookWants,
} from '../../shared/domain/webhook.ts';
import type { StatusEvent } from '../../shared/schemas/status-event.ts';
import { feedbackPayloadSchema } from '../../shared/schemas/webhook.ts';

const now = new Date('2030-01-01T00:00:00Z');
const event: StatusEvent = {
  kind: 'status-event',
  eventId: 'm1:1',
  sandbox: 'prod',
  executionId: 'e1',
  requestId: 'r1',
  campaignId: 'c1',
  campaignVersion: 3,
  campaignType: 'transactional',
  channel: 'email',
  messageId: 'm1',
  userId: 'ann@example.com',
  namespace: 'email',
  status: 'bounce',
  code: 'hard-bounce',
  reason: 'mailbox does not exist',
  timestamp: now.toISOString(),
};

describe('webhook signing', () => {
  it("signs as standardwebhooks' Webhook#sign does, byte for byte", () => {
    const bodies = ['{}', '{"a":"é ✓ 😀"}', 'x'.repeat(10_000)];
    for (const secret of [
      generateSigningSecret(),
      generateSigningSecret(),
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ]) {
      for (const body of bodies) {
        const at = new Date(now.getTime() + 1_234);
        expect(sign(secret, 'msg_1', at, body)).toBe(new Webhook(secret).sign('msg_1', at, body));
        // Again, from the container's decoded key.
        expect(sign(secret, 'msg_2', at, body)).toBe(new Webhook(secret).sign('msg_2', at, body));
      }
    }
  });

  it('signs with every active secret so receivers verify with either during a rotation', () => {
    const first = generateSigningSecret();
    expect(first).toMatch(/^whsec_/);
    const rotated = rotateSecrets([{ secret: first, createdAt: now.toISOString() }], now);
    expect(rotated.previousExpiresAt).toBe('2030-01-02T00:00:00.000Z');
    const body = JSON.stringify({ a: 1 });
    const headers = deliveryHeaders(
      { headers: { 'x-tenant': 't' }, auth: { type: 'none' }, secrets: rotated.secrets },
      'm1:1',
      body,
      now,
    );
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(headers['webhook-id']).toBe('m1:1');
    expect(headers['webhook-timestamp']).toBe(String(now.getTime() / 1000));
    expect(headers['x-tenant']).toBe('t');
    const verify = (secret: string) => new Webhook(secret).verify(body, headers);
    // Timestamps are checked against the clock; verify at the signing time.
    const realNow = Date.now;
    Date.now = () => now.getTime();
    try {
      expect(verify(first)).toEqual({ a: 1 });
      expect(verify(rotated.secret)).toEqual({ a: 1 });
      expect(() => verify(generateSigningSecret())).toThrow();
    } finally {
      Date.now = realNow;
    }
  });

  it('drops a previous secret once its grace period is over', () => {
    const rotated = rotateSecrets([{ secret: 'whsec_AAAA', createdAt: now.toISOString() }], now);
    expect(activeSecrets(rotated.secrets, new Date('2030-01-01T23:59:59Z'))).toHaveLength(2);
    expect(activeSecrets(rotated.secrets, new Date('2030-01-02T00:00:01Z')).map((s) => s.secret)).toEqual([
      rotated.secret,
    ]);
  });

  it('adds bearer and basic authentication', () => {
    const base = { headers: {}, secrets: [] };
    expect(
      deliveryHeaders({ ...base, auth: { type: 'bearer', token: 't0k' } }, 'i', '{}', now).authorization,
    ).toBe('Bearer t0k');
    expect(
      deliveryHeaders({ ...base, auth: { type: 'basic', username: 'u', password: 'p' } }, 'i', '{}', now)
        .authorization,
    ).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });
});

describe('the feedback payload', () => {
  const settings = { imsOrg: 'ABC123@AdobeOrg' };

  it("is the reference system's documented message.feedback form, with Herald's additions", () => {
    const payload = feedbackPayload({ ...event, profileId: 'p1', address: 'ann@example.com' }, settings);
    expect(feedbackPayloadSchema.parse(payload)).toEqual(payload);
    expect(payload).toEqual({
      requestId: 'r1',
      imsOrg: 'ABC123@AdobeOrg',
      sandbox: { id: 'prod', name: 'prod' },
      channel: 'email',
      eventType: 'message.feedback',
      messageExecution: {
        messageExecutionID: 'e1',
        messageType: 'transactional',
        campaignID: 'c1',
        campaignVersionID: '3',
        messageID: 'm1',
        messageProfileID: 'p1',
        campaignType: 'ApiTriggered',
      },
      messageDeliveryFeedback: {
        feedbackStatus: { value: 'bounce' },
        offers: null,
        messageExclusion: null,
        messageFailure: {
          category: 'async',
          type: 'Hard',
          code: 'hard-bounce',
          reason: 'mailbox does not exist',
        },
        retryCount: 0,
        encoding: null,
        numberOfMessageParts: null,
        deliveryTimestamp: now.toISOString(),
      },
      identityMap: { email: [{ id: 'ann@example.com', primary: true }] },
      executionId: 'e1',
      userId: 'ann@example.com',
      timestamp: now.toISOString(),
    });
    // The documented email payload has no channelContext; the keys come in the documented order.
    expect(Object.keys(payload).slice(0, 6)).toEqual([
      'requestId',
      'imsOrg',
      'sandbox',
      'channel',
      'eventType',
      'messageExecution',
    ]);
  });

  it('sends empty fields as null, imsOrg included when the deployment sets none', () => {
    const { code: _code, reason: _reason, ...plain } = event;
    const delivered = feedbackPayload({ ...plain, status: 'delivered' }, { imsOrg: null });
    expect(delivered.imsOrg).toBeNull();
    expect(delivered.messageExecution.messageProfileID).toBeNull();
    expect(delivered.messageDeliveryFeedback).toEqual({
      feedbackStatus: { value: 'delivered' },
      offers: null,
      messageExclusion: null,
      messageFailure: null,
      retryCount: 0,
      encoding: null,
      numberOfMessageParts: null,
      deliveryTimestamp: now.toISOString(),
    });
    expect(JSON.parse(JSON.stringify(delivered)).messageDeliveryFeedback).toHaveProperty('offers', null);
  });

  it("carries exclusions as messageExclusion, with no delivery timestamp (they are Herald's, not the provider's)", () => {
    const excluded = feedbackPayload(
      { ...event, status: 'exclude', code: 'suppressed-address', reason: undefined },
      settings,
    );
    expect(excluded.messageDeliveryFeedback).toMatchObject({
      messageExclusion: { code: 'suppressed-address', reason: null },
      messageFailure: null,
      deliveryTimestamp: null,
    });
  });

  it('gives SMS its channelContext, encoding and number of parts', () => {
    const sms = feedbackPayload(
      {
        ...event,
        channel: 'sms',
        namespace: 'phone',
        userId: '+15555550123',
        status: 'delivered',
        address: '+15555550124',
        encoding: 'GSM',
        messageParts: 2,
      },
      settings,
    );
    expect(feedbackPayloadSchema.parse(sms)).toEqual(sms);
    expect(sms.channel).toBe('sms');
    expect(sms.channelContext).toEqual({ profileAddress: null, profileNumber: '+15555550124' });
    expect(sms.messageDeliveryFeedback).toMatchObject({ encoding: 'GSM', numberOfMessageParts: '2' });
    expect(sms.identityMap).toEqual({ phone: [{ id: '+15555550123', primary: true }] });
    const unsent = feedbackPayload(
      { ...event, channel: 'sms', status: 'exclude', code: 'missing-address' },
      settings,
    );
    expect(unsent.channelContext).toEqual({ profileAddress: null, profileNumber: null });
    expect(unsent.messageDeliveryFeedback).toMatchObject({ encoding: null, numberOfMessageParts: null });
  });

  it('goes only to enabled webhooks that take the channel', () => {
    expect(webhookWants({ enabled: true, channels: ['email', 'sms'] }, 'email')).toBe(true);
    expect(webhookWants({ enabled: true, channels: ['sms'] }, 'email')).toBe(false);
    expect(webhookWants({ enabled: false, channels: ['email'] }, 'email')).toBe(false);
  });
});
