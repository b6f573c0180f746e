import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOptOut, mapInboundSms } from '../../shared/domain/sms-inbound.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';
import { marketingSmsRun } from './sms-fixture.ts';

/**
 * SMS opt-out through the provider-events queue: a person texts STOP to a sending number; AWS End
 * User Messaging SMS publishes the documented two-way payload to the number's SNS topic, which
 * delivers it to the queue. The worker finds the sandboxes whose SMS configurations send from that
 * number, withdraws the person's marketing consent for SMS, and the next marketing SMS to them is
 * excluded `no-consent`; other sandboxes and other channels are untouched.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let sending: { sandbox: string; api: Client };
let other: { sandbox: string; api: Client };
let sqs: SQSClient;
let queueUrl: string;

const NUMBER = '+18005550100';

beforeAll(async () => {
  herald = await startTestHerald();
  sending = await sandboxWithKey(herald, ['admin']);
  other = await sandboxWithKey(herald, ['admin']);
  const configuration = await sending.api.post('/channel-configurations', {
    name: 'Toll-free',
    channel: 'sms',
    provider: { type: 'sns-sms', originationNumber: NUMBER },
  });
  expect(configuration.status, JSON.stringify(configuration.body)).toBe(201);
  sqs = new SQSClient({ endpoint: herald.endpoints.sqs, region: 'us-east-1' });
  queueUrl = herald.queueUrls.PROVIDER_EVENTS_QUEUE_URL ?? '';
  expect(queueUrl).not.toBe('');
}, 60_000);
afterAll(async () => {
  sqs?.destroy();
  await herald?.stop();
});

/** The two-way SMS payload as End User Messaging documents it, inside the SNS envelope. */
function inbound(from: string, body: string, to = NUMBER): string {
  const document = {
    originationNumber: from,
    destinationNumber: to,
    messageKeyword: 'KEYWORD_123456789012',
    messageBody: body,
    inboundMessageId: randomUUID(),
    previousPublishedMessageId: randomUUID(),
  };
  return JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:two-way-sms',
    Message: JSON.stringify(document),
    Timestamp: new Date().toISOString(),
  });
}

async function feed(body: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  await waitFor(async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) ===
      0
    );
  }, 'the provider-events queue to drain');
}

type Profile = {
  profileId: string;
  consent: { marketing?: Record<string, string> };
  consentChanges?: { channel: string; value: string; via: string }[];
};
const profileOf = async (api: Client, phone: string) =>
  (await api.get<Profile>(`/profiles/phone/${encodeURIComponent(phone)}`)).body;

describe('SMS opt-out (STOP to a sending number)', () => {
  it('withdraws marketing consent for SMS in the sandbox sending from the number, and the next marketing SMS excludes them', async () => {
    const stopper = '+14155550161';
    const stays = '+14155550162';
    for (const phone of [stopper, stays])
      for (const { api } of [sending, other])
        await api.put('/profiles', {
          identities: [{ namespace: 'phone', id: phone }],
          consent: { marketing: { sms: 'y', email: 'y' } },
        });

    await feed(inbound(stopper, 'Stop'));

    const stopped = await profileOf(sending.api, stopper);
    expect(stopped.consent.marketing).toEqual({ sms: 'n', email: 'y' });
    expect(stopped.consentChanges).toEqual([
      expect.objectContaining({ channel: 'sms', value: 'n', via: 'sms-stop' }),
    ]);
    expect((await profileOf(sending.api, stays)).consent.marketing).toEqual({ sms: 'y', email: 'y' });
    // The other sandbox sends from no such number: its profile of the same person is untouched.
    expect((await profileOf(other.api, stopper)).consent.marketing).toEqual({ sms: 'y', email: 'y' });

    const counts = await marketingSmsRun(sending.api, [stopper, stays], (c) => c.sent === 0);
    expect(counts.excluded).toEqual({ 'no-consent': 1 });
  });

  it('ignores texts that are not an opt-out, and opt-outs to a number no sandbox sends from', async () => {
    const phone = '+14155550163';
    await sending.api.put('/profiles', {
      identities: [{ namespace: 'phone', id: phone }],
      consent: { marketing: { sms: 'y' } },
    });
    await feed(inbound(phone, 'Please stop by tomorrow'));
    await feed(inbound(phone, 'STOP', '+18005550199'));
    expect((await profileOf(sending.api, phone)).consent.marketing).toEqual({ sms: 'y' });
  });
});

describe('inbound SMS reading', () => {
  it('reads the documented payload, raw or in an SNS envelope, and knows the opt-out keywords', () => {
    const raw = JSON.parse(JSON.parse(inbound('+14155550164', ' stop! ')).Message) as Record<string, string>;
    expect(mapInboundSms(JSON.stringify(raw))).toEqual({
      kind: 'inbound',
      from: '+14155550164',
      to: NUMBER,
      optOut: true,
    });
    expect(mapInboundSms(inbound('+14155550164', 'Hi'))).toMatchObject({ kind: 'inbound', optOut: false });
    expect(mapInboundSms('{"eventType":"Delivery"}')).toEqual({ kind: 'not-inbound' });
    expect(mapInboundSms('not json')).toEqual({ kind: 'not-inbound' });
    for (const word of [
      'STOP',
      'stopall',
      'Unsubscribe',
      'CANCEL',
      'END',
      'QUIT',
      'OPTOUT',
      'opt-out',
      'ARRET',
    ])
      expect(isOptOut(word), word).toBe(true);
    expect(isOptOut('JOIN')).toBe(false);
    expect(isOptOut('the end of it')).toBe(false);
    expect(isOptOut('anything', 'STOP')).toBe(true);
  });
});
