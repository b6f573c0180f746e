import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { type Moto, motoSns, startMoto } from './moto.ts';
import { waitFor } from './receiver.ts';
import { marketingSmsRun } from './sms-fixture.ts';

/**
 * A provider refusing an SMS because the number opted out with it (ADR 0028), through the
 * runtime's dispatcher: the message is excluded `opted-out` (a recipient's reason: never moved to
 * the fallback) and the profile's marketing consent for SMS becomes `n`, as a STOP makes it
 * (`via: sms-opted-out`), so the next marketing SMS excludes it `no-consent`.
 *
 * - SNS with `checkOptOut`: the real SNS client against moto_server, whose
 *   CheckIfPhoneNumberIsOptedOut answers true for numbers ending in 99 (moto 5.2.1's rule).
 * - End User Messaging SMS: moto does not serve it, so the real SDK client talks to a local HTTP
 *   server answering as the service documents — `ConflictException` with `Reason`
 *   `DESTINATION_PHONE_NUMBER_OPTED_OUT` (awsJson1_0 error document) for numbers ending in 99,
 *   `{MessageId}` otherwise — and its fallback is SNS SMS on moto, which must receive nothing.
 */
let moto: Moto;
let eum: { url: string; requests: { to: string; configurationSet?: string }[]; stop(): Promise<void> };
let herald: Awaited<ReturnType<typeof startTestHerald>>;

const OPTED_OUT = '+14155550199';

async function startEndUserMessaging(): Promise<typeof eum> {
  const requests: { to: string; configurationSet?: string }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        DestinationPhoneNumber: string;
        ConfigurationSetName?: string;
      };
      requests.push({
        to: body.DestinationPhoneNumber,
        ...(body.ConfigurationSetName ? { configurationSet: body.ConfigurationSetName } : {}),
      });
      const optedOut = body.DestinationPhoneNumber.endsWith('99');
      response.writeHead(optedOut ? 400 : 200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify(
          optedOut
            ? {
                __type: 'ConflictException',
                Message: 'The destination phone number is opted out.',
                Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
                ResourceType: 'opt-out-list',
                ResourceId: 'Default',
              }
            : { MessageId: randomUUID() },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, // listen() on a port gives an AddressInfo
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  moto = await startMoto();
  eum = await startEndUserMessaging();
  // The dispatcher's clients are built by the SDK from the environment, as on Lambda.
  process.env.AWS_ENDPOINT_URL_SNS = moto.url;
  process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = eum.url;
  // As the stack sets it: configurations naming no configuration set send with this one.
  herald = await startTestHerald({}, { HERALD_SMS_CONFIGURATION_SET: 'herald-sms-events' });
}, 60_000);
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SNS;
  delete process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2;
  await herald?.stop();
  await eum?.stop();
  await moto?.stop();
});

type Profile = {
  consent: { marketing?: Record<string, string> };
  consentChanges?: { channel: string; value: string; via: string }[];
};
const profileOf = async (api: Client, phone: string) =>
  (await api.get<Profile>(`/profiles/phone/${encodeURIComponent(phone)}`)).body;

async function consenting(api: Client, phones: string[]) {
  for (const phone of phones) {
    const put = await api.put('/profiles', {
      identities: [{ namespace: 'phone', id: phone }],
      consent: { marketing: { sms: 'y', email: 'y' } },
    });
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
  }
}

type Recipient = {
  userId: string;
  status: string;
  history: { status: string; code?: string; reason?: string }[];
};

describe('an SMS the provider refuses as opted out', () => {
  it('SNS (checkOptOut): excluded opted-out without a Publish, consent withdrawn, the next marketing SMS no-consent', async () => {
    const { api } = await sandboxWithKey(herald, ['admin']);
    const created = await api.post('/channel-configurations', {
      name: 'SNS SMS',
      channel: 'sms',
      provider: { type: 'sns-sms', originationNumber: '+18005550100', checkOptOut: true },
      default: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ provider: { checkOptOut: true } });
    const fine = '+14155550121';
    await consenting(api, [OPTED_OUT, fine]);

    const counts = await marketingSmsRun(api, [OPTED_OUT, fine]);
    expect(counts).toMatchObject({ sent: 1, excluded: { 'opted-out': 1 } });
    const published = (await motoSns(moto.url)).sms.map((sms) => sms.phone_number);
    expect(published).toContain(fine);
    expect(published).not.toContain(OPTED_OUT);

    const profile = await profileOf(api, OPTED_OUT);
    expect(profile.consent.marketing).toEqual({ sms: 'n', email: 'y' });
    expect(profile.consentChanges).toEqual([
      expect.objectContaining({ channel: 'sms', value: 'n', via: 'sms-opted-out' }),
    ]);
    expect((await profileOf(api, fine)).consent.marketing).toEqual({ sms: 'y', email: 'y' });

    // Herald now knows: the next marketing SMS excludes the profile before any provider call.
    expect(await marketingSmsRun(api, [OPTED_OUT])).toMatchObject({ sent: 0, excluded: { 'no-consent': 1 } });
  });

  it('End User Messaging (ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT): excluded, not moved to the fallback', async () => {
    const { api } = await sandboxWithKey(herald, ['admin']);
    const fallback = await api.post<{ id: string }>('/channel-configurations', {
      name: 'SNS fallback',
      channel: 'sms',
      provider: { type: 'sns-sms', originationNumber: '+18005550112' },
    });
    expect(fallback.status, JSON.stringify(fallback.body)).toBe(201);
    const primary = await api.post<{ id: string }>('/channel-configurations', {
      name: 'End User Messaging',
      channel: 'sms',
      provider: { type: 'end-user-messaging-sms', originationIdentity: '+18005550111' },
      fallback: fallback.body.id,
      default: true,
    });
    expect(primary.status, JSON.stringify(primary.body)).toBe(201);
    await consenting(api, [OPTED_OUT]);
    const campaign = await api.post<{ id: string }>('/campaigns', {
      name: `code ${randomUUID()}`,
      category: 'transactional',
      channel: 'sms',
      identityNamespace: 'phone',
      content: { body: 'Your code is 1234' },
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    expect((await api.post(`/campaigns/${campaign.body.id}/activate`)).status).toBe(200);
    const smsBefore = (await motoSns(moto.url)).sms.length;
    const requestsBefore = eum.requests.length;
    const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `opted-out-${randomUUID()}`,
      campaignId: campaign.body.id,
      recipients: [{ type: 'aep', userId: OPTED_OUT, namespace: 'phone' }],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    let recipient: Recipient | undefined;
    await waitFor(async () => {
      const execution = await api.get<{ recipients: Recipient[] }>(`/executions/${answer.body.executionId}`);
      recipient = execution.body.recipients[0];
      return recipient !== undefined && recipient.status !== 'queued';
    }, 'the message to be answered');
    expect(recipient?.status).toBe('exclude');
    expect(recipient?.history.at(-1)).toMatchObject({
      status: 'exclude',
      code: 'opted-out',
      reason: expect.stringContaining('sms-voice-DESTINATION_PHONE_NUMBER_OPTED_OUT'),
    });
    // One SendTextMessage (with the stack's configuration set), and nothing through the fallback:
    // a recipient's reason is not an outage.
    expect(eum.requests.slice(requestsBefore)).toEqual([
      { to: OPTED_OUT, configurationSet: 'herald-sms-events' },
    ]);
    expect((await motoSns(moto.url)).sms.length).toBe(smsBefore);
    const profile = await profileOf(api, OPTED_OUT);
    expect(profile.consent.marketing).toEqual({ sms: 'n', email: 'y' });
    expect(profile.consentChanges).toEqual([
      expect.objectContaining({ channel: 'sms', value: 'n', via: 'sms-opted-out' }),
    ]);
  });
});
