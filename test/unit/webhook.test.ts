import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  activeSecrets,
  deliveryHeaders,
  feedbackPayload,
  generateSigningSecret,
  rotateSecrets,
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
  it("is the reference system's message.feedback shape with Herald's additions", () => {
    const payload = feedbackPayload(event);
    expect(feedbackPayloadSchema.parse(payload)).toEqual(payload);
    expect(payload).toMatchObject({
      requestId: 'r1',
      eventType: 'message.feedback',
      sandbox: { name: 'prod' },
      messageExecution: {
        messageExecutionID: 'e1',
        campaignID: 'c1',
        campaignVersionID: '3',
        messageID: 'm1',
        messageType: 'transactional',
      },
      messageDeliveryFeedback: {
        feedbackStatus: { value: 'bounce' },
        messageFailure: {
          category: 'async',
          type: 'Hard',
          code: 'hard-bounce',
          reason: 'mailbox does not exist',
        },
        retryCount: 0,
      },
      identityMap: { email: [{ id: 'ann@example.com' }] },
      executionId: 'e1',
      userId: 'ann@example.com',
    });
  });

  it('carries exclusions as messageExclusion and nothing for a plain delivery', () => {
    const excluded = feedbackPayload({ ...event, status: 'exclude', code: 'suppressed-address' });
    expect(excluded.messageDeliveryFeedback).toMatchObject({
      messageExclusion: { code: 'suppressed-address' },
    });
    expect(excluded.messageDeliveryFeedback.messageFailure).toBeUndefined();
    const { code: _code, reason: _reason, ...plain } = event;
    const delivered = feedbackPayload({ ...plain, status: 'delivered' });
    expect(delivered.messageDeliveryFeedback).toEqual({
      feedbackStatus: { value: 'delivered' },
      retryCount: 0,
    });
  });

  it('goes only to enabled webhooks that take the channel', () => {
    expect(webhookWants({ enabled: true, channels: ['email', 'sms'] }, 'email')).toBe(true);
    expect(webhookWants({ enabled: true, channels: ['sms'] }, 'email')).toBe(false);
    expect(webhookWants({ enabled: false, channels: ['email'] }, 'email')).toBe(false);
  });
});
