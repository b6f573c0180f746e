import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, emailCampaign, sandboxName, sandboxWithKey, startTestHerald } from './harness.ts';

/** What a client written for Adobe Journey Optimizer sends, unmodified. */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let sandbox: string;
let api: Client;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ sandbox, api } = await sandboxWithKey(herald, ['admin']));
});
afterAll(async () => {
  await herald?.stop();
});

async function liveCampaign(definition: Record<string, unknown> = emailCampaign): Promise<string> {
  const created = await api.post<{ id: string }>('/campaigns', definition);
  if (created.status !== 201) throw new Error(`campaign: ${JSON.stringify(created.body)}`);
  const activated = await api.post(`/campaigns/${created.body.id}/activate`);
  if (activated.status !== 200) throw new Error(`activate: ${JSON.stringify(activated.body)}`);
  return created.body.id;
}

describe("AJO's base path", () => {
  it('/ajo/im/… answers as /im/… does, for triggers, reads and health', async () => {
    const campaignId = await liveCampaign({ ...emailCampaign, createNewProfiles: true });
    const body = {
      requestId: `ajo-alias-${sandbox}`,
      campaignId,
      recipients: [{ type: 'aep', userId: 'alias@example.com', namespace: 'email' }],
    };
    const viaAjo = await api.post<{ executionId: string }>('/ajo/im/executions/unitary', body);
    expect(viaAjo.status).toBe(202);
    // The same requestId on the other path is the same request: one idempotency key, one answer.
    const viaIm = await api.post<{ executionId: string }>('/im/executions/unitary', body);
    expect(viaIm.status).toBe(202);
    expect(viaIm.body.executionId).toBe(viaAjo.body.executionId);

    const health = await api.get('/ajo/im/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const missing = await api.get('/ajo/im/executions/audience/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('covers only the /im/ routes', async () => {
    const answer = await api.get('/ajo/campaigns');
    expect(answer.status).toBe(404);
    expect(answer.body.type).toBe('urn:herald:problem:route-not-found');
  });
});

describe('error documents', () => {
  it("keep RFC 9457's fields and carry AJO's report.additionalContext with the same values", async () => {
    const campaignId = '00000000-0000-4000-8000-000000000001';
    const answer = await api.post('/ajo/im/executions/unitary', {
      requestId: 'ajo-error-1',
      campaignId,
      recipients: [{ type: 'aep', userId: 'x@example.com', namespace: 'email' }],
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).toMatchObject({
      type: 'urn:herald:problem:campaign-not-found',
      title: expect.any(String),
      status: 404,
      detail: expect.any(String),
    });
    const report = answer.body.report as Record<string, unknown>;
    expect(report).toEqual({
      correlationId: expect.any(String),
      requestId: 'ajo-error-1',
      campaignId,
      additionalContext: { correlationId: report.correlationId, requestId: 'ajo-error-1', campaignId },
    });
  });

  it('carry additionalContext on failures before the body is read (authentication)', async () => {
    const answer = await herald.root.request('GET', '/im/health', undefined, {
      authorization: 'Bearer not-a-key',
    });
    expect(answer.status).toBe(401);
    const report = answer.body.report as Record<string, unknown>;
    expect(report.additionalContext).toEqual({ correlationId: report.correlationId });
  });
});

/** Polls an execution until no recipient is queued (the dispatch poller runs in the background). */
async function settled(client: Client, executionId: string) {
  type Execution = { recipients: { messageId: string; status: string; statusCode?: string }[] };
  for (let attempt = 0; attempt < 300; attempt++) {
    const answer = await client.get<Execution>(`/executions/${executionId}`);
    if (answer.body.recipients.every((r) => r.status !== 'queued')) return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`execution ${executionId} still queued`);
}

describe('phone numbers in national form', () => {
  const smsCampaign = {
    name: 'Code',
    category: 'transactional',
    channel: 'sms',
    identityNamespace: 'phone',
    content: { body: 'Your code is {{context.code}}' },
  };

  it('are refused without a default country, naming the field, as before', async () => {
    const plain = await sandboxWithKey(herald, ['admin']);
    const profile = await plain.api.put('/profiles', {
      identities: [{ namespace: 'phone', id: '4155550123' }],
    });
    expect(profile.status).toBe(400);
    expect(profile.body.fields).toEqual([
      { path: 'identities[0].id', message: expect.stringContaining('defaultCountry') },
    ]);
    const created = await plain.api.post<{ id: string }>('/campaigns', {
      ...smsCampaign,
      createNewProfiles: true,
    });
    await plain.api.post(`/campaigns/${created.body.id}/activate`);
    const trigger = await plain.api.post('/im/executions/unitary', {
      requestId: 'national-1',
      campaignId: created.body.id,
      recipients: [{ type: 'aep', namespace: 'phone', userId: '4155550123' }],
    });
    expect(trigger.status).toBe(400);
    expect(trigger.body.type).toBe('urn:herald:problem:invalid-user-id');
  });

  it("are read in the sandbox's country by profiles, audiences and triggers alike", async () => {
    const us = await sandboxWithKey(herald, ['admin'], sandboxName('us'), { defaultCountry: 'US' });
    const profile = await us.api.put<{ identities: unknown[] }>('/profiles', {
      identities: [{ namespace: 'phone', id: '(415) 555-0101' }],
    });
    expect(profile.status).toBe(200);
    expect(profile.body.identities).toEqual([{ namespace: 'phone', id: '+14155550101' }]);
    const found = await us.api.get<{ profileId: string }>('/profiles/phone/415-555-0101');
    expect(found.status).toBe(200);
    expect((await us.api.get<{ profileId: string }>('/profiles/phone/+14155550101')).body.profileId).toBe(
      found.body.profileId,
    );

    const audience = await us.api.post<{ id: string }>('/audiences', { name: 'national' });
    const members = await us.api.post<{ added: number; created: number }>(
      `/audiences/${audience.body.id}/members`,
      {
        identities: [
          { namespace: 'phone', id: '415 555 0101' },
          { namespace: 'phone', id: '+1 415 555 0102' },
          { namespace: 'phone', id: '415.555.0103' },
        ],
      },
    );
    expect(members.body).toMatchObject({ added: 3, created: 2, rejected: [] });
    expect((await us.api.get('/profiles/phone/+14155550103')).status).toBe(200);

    const created = await us.api.post<{ id: string }>('/campaigns', smsCampaign);
    await us.api.post(`/campaigns/${created.body.id}/activate`);
    const answer = await us.api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: 'national-2',
      campaignId: created.body.id,
      recipients: [
        {
          type: 'aep',
          namespace: 'phone',
          userId: '4155550101',
          channelData: { mobilePhoneNumber: '415-555-0199' },
        },
        { type: 'aep', namespace: 'phone', userId: '415 555 0102', context: { code: '42' } },
      ],
    });
    expect(answer.status).toBe(202);
    const execution = await settled(us.api, answer.body.executionId);
    expect(execution.recipients.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    const copies = await Promise.all(
      execution.recipients.map((r) =>
        us.api.get<{ to: string }>(`/executions/${answer.body.executionId}/messages/${r.messageId}`),
      ),
    );
    expect(copies.map((c) => c.body.to).sort()).toEqual(['+14155550102', '+14155550199']);
  });

  it('follow a default country set later with PATCH /sandboxes/{name}', async () => {
    const later = await sandboxWithKey(herald, ['admin']);
    const patched = await herald.root.patch(`/sandboxes/${later.sandbox}`, { defaultCountry: 'FR' });
    expect(patched.status).toBe(200);
    const profile = await later.api.put<{ identities: unknown[] }>('/profiles', {
      identities: [{ namespace: 'phone', id: '06 12 34 56 78' }],
    });
    expect(profile.body.identities).toEqual([{ namespace: 'phone', id: '+33612345678' }]);
  });
});

describe('external recipients on /im/executions/unitary', () => {
  it('are sent to the address in the call, with no profile read or created', async () => {
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'known@example.com' }],
      attributes: { firstName: 'Stored' },
    });
    // createNewProfiles is off: an unknown aep recipient would fail the whole call.
    const campaignId = await liveCampaign();
    const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `external-${sandbox}`,
      campaignId,
      recipients: [
        { type: 'aep', userId: 'known@example.com', namespace: 'email', context: { link: 'https://k' } },
        {
          type: 'external',
          userId: 'ext@example.com',
          namespace: 'email',
          profile: { firstName: 'Given' },
          context: { link: 'https://e' },
        },
        {
          type: 'external',
          userId: 'crm-7@example.com',
          namespace: 'email',
          channelData: { emailAddress: 'success@simulator.amazonses.com' },
        },
      ],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const execution = await settled(api, answer.body.executionId);
    expect(execution.recipients.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const view = await api.get<{ recipients: { userId: string; messageId: string; profileId?: string }[] }>(
      `/executions/${answer.body.executionId}`,
    );
    const byUser = new Map(view.body.recipients.map((r) => [r.userId, r]));
    expect(byUser.get('known@example.com')?.profileId).toEqual(expect.any(String));
    expect(byUser.get('ext@example.com')?.profileId).toBeUndefined();
    const copy = async (userId: string) =>
      (
        await api.get<{ to: string; subject: string }>(
          `/executions/${answer.body.executionId}/messages/${byUser.get(userId)?.messageId}`,
        )
      ).body;
    expect(await copy('known@example.com')).toMatchObject({
      to: 'known@example.com',
      subject: 'Reset for Stored',
    });
    expect(await copy('ext@example.com')).toMatchObject({
      to: 'ext@example.com',
      subject: 'Reset for Given',
    });
    expect(await copy('crm-7@example.com')).toMatchObject({
      to: 'success@simulator.amazonses.com',
      subject: 'Reset for ',
    });
    expect((await api.get('/profiles/email/ext@example.com')).status).toBe(404);
    expect((await api.get('/profiles/email/crm-7@example.com')).status).toBe(404);
  });

  it('are refused without an address the channel can use', async () => {
    const campaignId = await liveCampaign({
      ...emailCampaign,
      channel: 'sms',
      identityNamespace: 'email',
      content: { body: 'hi' },
    });
    const answer = await api.post('/im/executions/unitary', {
      requestId: `external-none-${sandbox}`,
      campaignId,
      recipients: [{ type: 'external', userId: 'ext@example.com', namespace: 'email' }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: 'urn:herald:problem:invalid-channel-data',
      fields: [{ path: 'body.recipients[0].channelData.mobilePhoneNumber', message: expect.any(String) }],
    });
  });
});

/**
 * Adobe's published sample requests for the Interactive Message Execution API ("Execute
 * API-triggered campaigns (code samples)", developer.adobe.com/journey-optimizer-apis/references/
 * messaging-samples, from github.com/AdobeDocs/journey-optimizer-apis), as sent, except:
 * - `requestId` and `campaignId` name this test's requests and campaigns (every sample shares one
 *   requestId, which would make them one idempotent request);
 * - sample 2's two userIds: it puts email addresses in the `phone` namespace, which no phone
 *   identity can be; they are phone numbers here, in the same national form as the sample's others;
 * - sample 3's `#appId#`/`#platform#`/`#token#` placeholders get values, and its `/* … *\/`
 *   comment (which makes the sample invalid JSON) is left out.
 * The sandbox's default country is US, so the national numbers (`1234567890`, `0921234567`) read.
 */
const samples = {
  'sample 1: SMS to an existing profile by phone': {
    channel: 'sms',
    body: {
      recipients: [{ type: 'aep', namespace: 'phone', userId: '1234567890' }],
    },
  },
  'sample 2: SMS with context to several profiles, the number overridden by channelData': {
    channel: 'sms',
    body: {
      recipients: [
        {
          type: 'aep',
          namespace: 'phone',
          userId: '2125550101',
          channelData: { mobilePhoneNumber: '1234567890' },
          context: { product: { name: 'Jackets', category: 'Clothes' }, offerCode: 'THANKSGIVING' },
        },
        {
          type: 'aep',
          namespace: 'phone',
          userId: '2125550102',
          channelData: { mobilePhoneNumber: '0921234567' },
          context: { product: { name: 'Jackets', category: 'Clothes' }, offerCode: 'THANKSGIVING' },
        },
      ],
    },
  },
  'sample 3: push to an existing profile': {
    channel: 'push',
    body: {
      recipients: [
        {
          type: 'aep',
          namespace: 'ecid',
          userId: '12345678901234567890123456789493505531',
          channelData: {
            pushInfo: { appID: 'com.example.app', platform: 'fcm', token: 'sample-device-token' },
          },
        },
      ],
    },
  },
  'sample 4: email with context and profile attributes': {
    channel: 'email',
    body: {
      recipients: [
        {
          type: 'aep',
          namespace: 'email',
          userId: 'test@gmail.com',
          context: { product: { name: 'Jackets', category: 'Clothes' }, offerCode: 'THANKSGIVING' },
          profile: {
            person: {
              name: { firstName: 'John', lastName: 'Chao', courtesyTitle: 'Mr.' },
              mobilePhone: { number: '111-112-3456', primary: true },
              personalEmail: { address: 'ajo_im@gmail.com', primary: true },
            },
          },
        },
      ],
    },
  },
  'sample 5: email with the address overridden by channelData': {
    channel: 'email',
    body: {
      recipients: [
        {
          type: 'aep',
          namespace: 'email',
          userId: 'test@gmail.com',
          channelData: { emailAddress: 'test123@gmail.com' },
          context: { product: { name: 'Jackets', category: 'Clothes' }, offerCode: 'THANKSGIVING' },
          profile: {
            person: {
              name: { firstName: 'John', lastName: 'Chao', courtesyTitle: 'Mr.' },
              mobilePhone: { number: '111-112-3456', primary: true },
              personalEmail: { address: 'ajo_im@gmail.com', primary: true },
            },
          },
        },
      ],
    },
  },
  'sample 6: email to a profile of a custom merge schema': {
    channel: 'email',
    body: {
      recipients: [
        {
          type: 'aep',
          namespace: 'email',
          userId: 'test@gmail.com',
          mergePolicyName: 'DefaultTimeBased',
          mergePolicySchema: '_xdm.context.profile',
          channelData: { emailAddress: 'test123@gmail.com' },
        },
      ],
    },
  },
} as const;

describe("Adobe's published sample requests", () => {
  let us: { sandbox: string; api: Client };
  const campaigns: Record<string, string> = {};

  beforeAll(async () => {
    us = await sandboxWithKey(herald, ['admin'], sandboxName('samples'), { defaultCountry: 'US' });
    // The samples address existing profiles.
    for (const identities of [
      [{ namespace: 'phone', id: '1234567890' }],
      [{ namespace: 'phone', id: '2125550101' }],
      [{ namespace: 'phone', id: '2125550102' }],
      [{ namespace: 'ecid', id: '12345678901234567890123456789493505531' }],
      [{ namespace: 'email', id: 'test@gmail.com' }],
    ]) {
      const upserted = await us.api.put('/profiles', { identities });
      if (upserted.status !== 200) throw new Error(`profile: ${JSON.stringify(upserted.body)}`);
    }
    const definitions = {
      sms: {
        channel: 'sms',
        identityNamespace: 'phone',
        content: { body: '{{context.offerCode}} on {{context.product.name}}' },
      },
      push: {
        channel: 'push',
        appId: 'com.example.app',
        identityNamespace: 'ecid',
        content: { title: 'Hello', body: 'Your order shipped' },
      },
      email: {
        channel: 'email',
        identityNamespace: 'email',
        content: { subject: 'Hi {{profile.person.name.firstName}}', text: '{{context.offerCode}}' },
      },
    };
    for (const [channel, definition] of Object.entries(definitions)) {
      const created = await us.api.post<{ id: string }>('/campaigns', {
        name: `sample ${channel}`,
        category: 'transactional',
        ...definition,
      });
      if (created.status !== 201) throw new Error(`campaign: ${JSON.stringify(created.body)}`);
      await us.api.post(`/campaigns/${created.body.id}/activate`);
      campaigns[channel] = created.body.id;
    }
  });

  /** What each sample's messages look like once sent (to whom, and what its templates rendered). */
  const expected: Record<keyof typeof samples, Record<string, string>[]> = {
    'sample 1: SMS to an existing profile by phone': [{ to: '+11234567890', body: ' on ' }],
    'sample 2: SMS with context to several profiles, the number overridden by channelData': [
      { to: '+10921234567', body: 'THANKSGIVING on Jackets' },
      { to: '+11234567890', body: 'THANKSGIVING on Jackets' },
    ],
    'sample 3: push to an existing profile': [{ to: 'sample-device-token', title: 'Hello' }],
    'sample 4: email with context and profile attributes': [
      { to: 'test@gmail.com', subject: 'Hi John', text: 'THANKSGIVING' },
    ],
    'sample 5: email with the address overridden by channelData': [
      { to: 'test123@gmail.com', subject: 'Hi John', text: 'THANKSGIVING' },
    ],
    'sample 6: email to a profile of a custom merge schema': [{ to: 'test123@gmail.com', subject: 'Hi ' }],
  };

  it.each(Object.entries(samples) as [keyof typeof samples, (typeof samples)[keyof typeof samples]][])(
    '%s → 202, sent as the sample means',
    async (name, sample) => {
      const answer = await us.api.post<{ executionId: string }>('/ajo/im/executions/unitary', {
        requestId: `sample-${name.slice(0, name.indexOf(':')).replace(' ', '-')}`,
        campaignId: campaigns[sample.channel],
        ...sample.body,
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      expect(answer.body).toMatchObject({
        executionId: expect.any(String),
        createdAt: expect.any(String),
        createdBy: expect.any(String),
        modifiedAt: expect.any(String),
        modifiedBy: expect.any(String),
      });
      const execution = await settled(us.api, answer.body.executionId);
      expect(execution.recipients.map((r) => r.status)).toEqual(
        sample.body.recipients.map(() => 'delivered'),
      );
      const copies = await Promise.all(
        execution.recipients.map(
          async (r) =>
            (
              await us.api.get<Record<string, string>>(
                `/executions/${answer.body.executionId}/messages/${r.messageId}`,
              )
            ).body,
        ),
      );
      const byAddress = (a: Record<string, string>, b: Record<string, string>) =>
        String(a.to).localeCompare(String(b.to));
      expect(copies.sort(byAddress)).toEqual(expected[name].map((copy) => expect.objectContaining(copy)));
    },
  );

  it('sample 7: an audience run with context → 202', async () => {
    const audience = await us.api.post<{ id: string }>('/audiences', { name: 'sample audience' });
    const created = await us.api.post<{ id: string }>('/campaigns', {
      name: 'sample marketing',
      category: 'marketing',
      channel: 'email',
      identityNamespace: 'email',
      audience: { id: audience.body.id },
      content: { subject: '{{context.offerCode}}', text: '{{context.product.name}}' },
    });
    await us.api.post(`/campaigns/${created.body.id}/activate`);
    const answer = await us.api.post('/ajo/im/executions/audience', {
      campaignId: created.body.id,
      context: { product: { name: 'Jackets', category: 'Clothes' }, offerCode: 'THANKSGIVING' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body).toMatchObject({ executionId: expect.any(String), status: expect.any(String) });
  });
});
