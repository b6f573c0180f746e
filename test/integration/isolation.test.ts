import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.ts';
import { type Answer, type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let a: { sandbox: string; api: Client };
let b: { sandbox: string; api: Client; keyId: string };
const bObjects = {
  campaignId: '',
  liveCampaignId: '',
  email: '',
  namespace: 'bOnlyId',
  executionId: '',
  messageId: '',
  webhookId: '',
  audienceId: '',
  importId: '',
  scheduleId: '',
  channelConfigurationId: '',
};

/** An address the sandbox provider bounces: it lands on B's suppression list. */
const BOUNCED = 'bounce@simulator.amazonses.com';

beforeAll(async () => {
  herald = await startTestHerald();
  a = await sandboxWithKey(herald, ['admin']);
  b = await sandboxWithKey(herald, ['admin']);
  bObjects.email = `secret-${b.sandbox}@example.com`;
  const campaign = await b.api.post<{ id: string }>('/campaigns', emailCampaign);
  bObjects.campaignId = campaign.body.id;
  const live = await b.api.post<{ id: string }>('/campaigns', emailCampaign);
  bObjects.liveCampaignId = live.body.id;
  await b.api.post(`/campaigns/${live.body.id}/activate`);
  await b.api.put('/profiles', {
    identities: [{ namespace: 'email', id: bObjects.email }],
    attributes: { secret: 1 },
  });
  await b.api.post('/namespaces', { code: bObjects.namespace });
  const triggered = await b.api.post<{ executionId: string }>('/im/executions/unitary', {
    requestId: 'b-1',
    campaignId: live.body.id,
    recipients: [{ type: 'aep', userId: bObjects.email, namespace: 'email' }],
  });
  bObjects.executionId = triggered.body.executionId;
  const execution = await b.api.get<{ recipients: { messageId: string }[] }>(
    `/executions/${bObjects.executionId}`,
  );
  bObjects.messageId = execution.body.recipients[0]?.messageId ?? '';
  const webhook = await b.api.post<{ id: string }>('/webhooks', {
    name: 'b',
    url: 'http://127.0.0.1:9/hook',
  });
  bObjects.webhookId = webhook.body.id;
  const audience = await b.api.post<{ id: string }>('/audiences', { name: 'b-only' });
  bObjects.audienceId = audience.body.id;
  await b.api.post(`/audiences/${audience.body.id}/members`, {
    identities: [{ namespace: 'email', id: bObjects.email }],
  });
  const imported = await b.api.post<{ importId: string }>(`/audiences/${audience.body.id}/imports`, {
    lines: JSON.stringify({ namespace: 'email', id: bObjects.email }),
  });
  bObjects.importId = imported.body.importId;
  const marketing = await b.api.post<{ id: string }>('/campaigns', {
    ...emailCampaign,
    category: 'marketing',
    audience: { id: audience.body.id },
  });
  await b.api.post(`/campaigns/${marketing.body.id}/activate`);
  const scheduled = await b.api.post<{ scheduleId: string }>('/im/executions/audience', {
    campaignId: marketing.body.id,
    schedule: { executeAt: new Date(Date.now() + 3_600_000).toISOString() },
  });
  bObjects.scheduleId = scheduled.body.scheduleId;
  const configuration = await b.api.post<{ id: string }>('/channel-configurations', {
    name: 'b relay',
    channel: 'email',
    provider: { type: 'ses', fromAddress: `news@${b.sandbox}.example.com` },
    default: true,
  });
  bObjects.channelConfigurationId = configuration.body.id;
  // A bounce (the sandbox provider's simulator address) puts an address on B's suppression list.
  await b.api.put('/profiles', { identities: [{ namespace: 'email', id: BOUNCED }] });
  await b.api.post('/im/executions/unitary', {
    requestId: 'b-bounce',
    campaignId: live.body.id,
    recipients: [{ type: 'aep', userId: BOUNCED, namespace: 'email' }],
  });
  const deadline = Date.now() + 20_000;
  while ((await b.api.get(`/suppressions/email/${BOUNCED}`)).status !== 200) {
    if (Date.now() > deadline) throw new Error("the bounce never reached B's suppression list");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(async () => {
  await herald?.stop();
});

type Probe = (api: Client) => Promise<void>;
const refused = (answer: Answer) => expect([403, 404]).toContain(answer.status);

/**
 * For every route, what sandbox A's admin key tries against sandbox B's objects, and what must
 * hold. A route added to the table without a probe here fails the coverage test.
 */
const probes: Record<string, Probe> = {
  'GET /im/health': async (api) => expect((await api.get('/im/health')).body).not.toHaveProperty('sandbox'),
  'GET /whoami': async (api) =>
    expect((await api.get<{ sandbox: string }>('/whoami')).body.sandbox).toBe(a.sandbox),
  'GET /executions': async (api) => {
    const list = await api.get<{ items: { executionId: string }[] }>('/executions?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.items.map((e) => e.executionId)).not.toContain(bObjects.executionId);
  },
  'POST /previews': async (api) =>
    refused(
      await api.post('/previews', {
        content: { body: '{{profile.firstName}}' },
        profile: { namespace: 'email', id: bObjects.email },
      }),
    ),
  // The console's files are the same for everyone and hold nothing of any sandbox.
  'GET /console': async () =>
    expect(await (await fetch(`${herald.url}/console`)).text()).not.toContain(b.sandbox),
  'GET /console/assets/{file}': async () => {
    const page = await (await fetch(`${herald.url}/console`)).text();
    const assets = [...page.matchAll(/"(\/console\/assets\/[\w.-]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets)
      expect(await (await fetch(`${herald.url}${asset}`)).text()).not.toContain(b.sandbox);
  },
  'GET /openapi.json': async (api) =>
    expect(JSON.stringify((await api.get('/openapi.json')).body)).not.toContain(b.sandbox),
  'POST /sandboxes': async (api) => refused(await api.post('/sandboxes', { name: b.sandbox })),
  'GET /sandboxes': async (api) => refused(await api.get('/sandboxes')),
  'PATCH /sandboxes/{name}': async (api) =>
    refused(await api.patch(`/sandboxes/${b.sandbox}`, { defaultCountry: 'US' })),
  'POST /api-keys': async (api) =>
    refused(await api.post('/api-keys', { sandbox: b.sandbox, scopes: ['admin'] })),
  'GET /api-keys': async (api) => {
    refused(await api.get(`/api-keys?sandbox=${b.sandbox}`));
    const own = await api.get<{ items: { id: string; sandbox: string }[] }>('/api-keys');
    expect(own.body.items.map((k) => k.id)).not.toContain(b.keyId);
    expect(new Set(own.body.items.map((k) => k.sandbox))).toEqual(new Set([a.sandbox]));
  },
  'DELETE /api-keys/{id}': async (api) => refused(await api.delete(`/api-keys/${b.keyId}`)),
  'POST /namespaces': async (api) =>
    expect((await api.post('/namespaces', { code: bObjects.namespace })).status).toBe(201),
  'GET /namespaces': async () => {
    const fresh = await sandboxWithKey(herald, ['profiles:read']);
    const list = await fresh.api.get<{ items: { code: string }[] }>('/namespaces');
    expect(list.body.items.map((n) => n.code)).not.toContain(bObjects.namespace);
  },
  'POST /campaigns': async () => {
    const fresh = await sandboxWithKey(herald, ['campaigns:write']);
    const answer = await fresh.api.post('/campaigns', {
      ...emailCampaign,
      identityNamespace: bObjects.namespace,
    });
    expect(answer.status).toBe(400);
  },
  'GET /campaigns': async (api) => {
    const list = await api.get<{ items: { id: string }[] }>('/campaigns?limit=100');
    expect(list.body.items.map((c) => c.id)).not.toContain(bObjects.campaignId);
  },
  'GET /campaigns/{id}': async (api) => refused(await api.get(`/campaigns/${bObjects.campaignId}`)),
  'PATCH /campaigns/{id}': async (api) =>
    refused(await api.patch(`/campaigns/${bObjects.campaignId}`, { name: 'pwned' })),
  'DELETE /campaigns/{id}': async (api) => refused(await api.delete(`/campaigns/${bObjects.campaignId}`)),
  'POST /campaigns/{id}/activate': async (api) =>
    refused(await api.post(`/campaigns/${bObjects.campaignId}/activate`)),
  'POST /campaigns/{id}/stop': async (api) =>
    refused(await api.post(`/campaigns/${bObjects.liveCampaignId}/stop`)),
  'POST /campaigns/{id}/archive': async (api) =>
    refused(await api.post(`/campaigns/${bObjects.liveCampaignId}/archive`)),
  'POST /campaigns/{id}/duplicate': async (api) =>
    refused(await api.post(`/campaigns/${bObjects.campaignId}/duplicate`)),
  'POST /campaigns/{id}/tests': async (api) =>
    refused(
      await api.post(`/campaigns/${bObjects.campaignId}/tests`, {
        channelData: { emailAddress: 'a-tester@example.com' },
      }),
    ),
  'GET /profiles/{namespace}/{id}/audiences': async () => {
    // B's profile is in B's audience; a fresh sandbox's key finds no such profile.
    const fresh = await sandboxWithKey(herald, ['profiles:read']);
    refused(await fresh.api.get(`/profiles/email/${bObjects.email}/audiences`));
  },
  'GET /profiles/{namespace}/{id}/messages': async (api) => {
    // B's profile has B's messages: a fresh sandbox's key finds no such profile.
    const fresh = await sandboxWithKey(herald, ['executions:read']);
    refused(await fresh.api.get(`/profiles/email/${bObjects.email}/messages`));
    // A's own profile gets nothing of B's, not even with a cursor naming B's message.
    await api.put('/profiles', { identities: [{ namespace: 'email', id: 'a-own@example.com' }] });
    expect((await api.get('/profiles/email/a-own@example.com/messages')).body).toEqual({ items: [] });
    const cursor = Buffer.from(
      JSON.stringify({
        at: `2026-01-01T00:00:00.000Z#${bObjects.messageId}`,
        pk: `SB#${b.sandbox}#EXEC#${bObjects.executionId}`,
        sk: `MSG#${bObjects.messageId}`,
      }),
    ).toString('base64url');
    expect((await api.get(`/profiles/email/a-own@example.com/messages?cursor=${cursor}`)).status).toBe(400);
  },
  'PUT /profiles': async (api) => {
    const mine = await api.put<{ created: boolean; attributes: Record<string, unknown> }>('/profiles', {
      identities: [{ namespace: 'email', id: bObjects.email }],
    });
    expect(mine.body.created).toBe(true);
    expect(mine.body.attributes).toEqual({});
  },
  'GET /profiles/{namespace}/{id}': async (api) => {
    const fresh = await sandboxWithKey(herald, ['profiles:read']);
    refused(await fresh.api.get(`/profiles/email/${bObjects.email}`));
    const own = await api.get<{ attributes: Record<string, unknown> }>(`/profiles/email/${bObjects.email}`);
    expect(own.body.attributes).not.toHaveProperty('secret');
  },
  'DELETE /profiles/{namespace}/{id}': async () => {
    const fresh = await sandboxWithKey(herald, ['profiles:write']);
    refused(await fresh.api.delete(`/profiles/email/${bObjects.email}`));
  },
  'GET /suppressions': async (api) => {
    const own = await api.get<{ items: { address: string }[] }>('/suppressions?channel=email&limit=100');
    expect(own.status).toBe(200);
    expect(own.body.items.map((s) => s.address)).not.toContain(BOUNCED);
  },
  'GET /suppressions/{channel}/{address}': async (api) =>
    refused(await api.get(`/suppressions/email/${BOUNCED}`)),
  'DELETE /suppressions/{channel}/{address}': async (api) =>
    refused(await api.delete(`/suppressions/email/${BOUNCED}`)),
  'POST /im/executions/unitary': async (api) =>
    refused(
      await api.post('/im/executions/unitary', {
        requestId: 'a-1',
        campaignId: bObjects.liveCampaignId,
        recipients: [{ type: 'aep', userId: bObjects.email, namespace: 'email' }],
      }),
    ),
  'POST /im/executions/highthroughput': async (api) =>
    refused(
      await api.post('/im/executions/highthroughput', {
        requestId: 'a-ht',
        campaignId: bObjects.liveCampaignId,
        recipients: [
          { type: 'external', userId: bObjects.email, channelData: { emailAddress: bObjects.email } },
        ],
      }),
    ),
  'POST /im/executions/audience': async (api) =>
    refused(
      await api.post('/im/executions/audience', { campaignId: bObjects.liveCampaignId, requestId: 'a-aud' }),
    ),
  'GET /im/executions/audience/{executionId}': async (api) =>
    refused(await api.get(`/im/executions/audience/${bObjects.executionId}`)),
  'GET /im/executions/schedules': async (api) => {
    const own = await api.get<{ items: { scheduleId: string }[] }>('/im/executions/schedules?limit=100');
    expect(own.status).toBe(200);
    expect(own.body.items.map((s) => s.scheduleId)).not.toContain(bObjects.scheduleId);
  },
  'GET /im/executions/schedules/{scheduleId}': async (api) =>
    refused(await api.get(`/im/executions/schedules/${bObjects.scheduleId}`)),
  'DELETE /im/executions/schedules/{scheduleId}': async (api) =>
    refused(await api.delete(`/im/executions/schedules/${bObjects.scheduleId}`)),
  'GET /executions/{executionId}': async (api) =>
    refused(await api.get(`/executions/${bObjects.executionId}`)),
  'GET /executions/{executionId}/messages/{messageId}': async (api) =>
    refused(await api.get(`/executions/${bObjects.executionId}/messages/${bObjects.messageId}`)),
  'POST /webhooks': async (api) => {
    expect((await api.post('/webhooks', { name: 'a', url: 'http://127.0.0.1:9/a' })).status).toBe(201);
  },
  'GET /webhooks': async (api) => {
    const list = await api.get<{ items: { id: string }[] }>('/webhooks');
    expect(list.body.items.map((w) => w.id)).not.toContain(bObjects.webhookId);
  },
  // Public: no key is read, so a key of A reaches nothing of B's through them; a link is only ever
  // valid for the sandbox and profile it was signed for (test/integration/unsubscribe.test.ts).
  'GET /u/{token}': async (api) => expect((await api.get(`/u/${b.sandbox}.x.y`)).status).toBe(404),
  'POST /u/{token}': async (api) => expect((await api.post(`/u/${b.sandbox}.x.y`)).status).toBe(404),
  'POST /channel-configurations': async (api) => {
    // A's own default on the same channel is its own: B's default does not take A's channel.
    const mine = await api.post('/channel-configurations', {
      name: 'a relay',
      channel: 'email',
      provider: { type: 'sandbox' },
      default: true,
    });
    expect(mine.status).toBe(201);
  },
  'GET /channel-configurations': async (api) => {
    const list = await api.get<{ items: { id: string }[] }>('/channel-configurations');
    expect(list.body.items.map((c) => c.id)).not.toContain(bObjects.channelConfigurationId);
    expect(JSON.stringify(list.body)).not.toContain(b.sandbox);
  },
  'GET /channel-configurations/{id}': async (api) =>
    refused(await api.get(`/channel-configurations/${bObjects.channelConfigurationId}`)),
  'PATCH /channel-configurations/{id}': async (api) =>
    refused(
      await api.patch(`/channel-configurations/${bObjects.channelConfigurationId}`, { default: false }),
    ),
  'DELETE /channel-configurations/{id}': async (api) =>
    refused(await api.delete(`/channel-configurations/${bObjects.channelConfigurationId}`)),
  'GET /webhooks/{id}': async (api) => refused(await api.get(`/webhooks/${bObjects.webhookId}`)),
  'PATCH /webhooks/{id}': async (api) =>
    refused(await api.patch(`/webhooks/${bObjects.webhookId}`, { enabled: false })),
  'DELETE /webhooks/{id}': async (api) => refused(await api.delete(`/webhooks/${bObjects.webhookId}`)),
  'POST /webhooks/{id}/rotate-secret': async (api) =>
    refused(await api.post(`/webhooks/${bObjects.webhookId}/rotate-secret`)),
  'POST /webhooks/{id}/test': async (api) => refused(await api.post(`/webhooks/${bObjects.webhookId}/test`)),
  'GET /webhooks/{id}/attempts': async (api) =>
    refused(await api.get(`/webhooks/${bObjects.webhookId}/attempts`)),
  'POST /webhooks/{id}/events/{eventId}/resend': async (api) =>
    refused(await api.post(`/webhooks/${bObjects.webhookId}/events/x/resend`)),
  'POST /audiences': async (api) => expect((await api.post('/audiences', { name: 'a' })).status).toBe(201),
  'GET /audiences': async (api) => {
    const list = await api.get<{ items: { id: string }[] }>('/audiences');
    expect(list.body.items.map((a) => a.id)).not.toContain(bObjects.audienceId);
  },
  'GET /audiences/{id}': async (api) => refused(await api.get(`/audiences/${bObjects.audienceId}`)),
  'PATCH /audiences/{id}': async (api) =>
    refused(await api.patch(`/audiences/${bObjects.audienceId}`, { name: 'x' })),
  'DELETE /audiences/{id}': async (api) => refused(await api.delete(`/audiences/${bObjects.audienceId}`)),
  'POST /audiences/{id}/members': async (api) =>
    refused(
      await api.post(`/audiences/${bObjects.audienceId}/members`, {
        identities: [{ namespace: 'email', id: 'a@a.com' }],
      }),
    ),
  'GET /audiences/{id}/members': async (api) =>
    refused(await api.get(`/audiences/${bObjects.audienceId}/members`)),
  'DELETE /audiences/{id}/members': async (api) =>
    refused(
      await api.request('DELETE', `/audiences/${bObjects.audienceId}/members`, {
        identities: [{ namespace: 'email', id: bObjects.email }],
      }),
    ),
  'POST /audiences/{id}/imports': async (api) =>
    refused(
      await api.post(`/audiences/${bObjects.audienceId}/imports`, {
        lines: '{"namespace":"email","id":"a@a.com"}',
      }),
    ),
  'GET /audiences/{id}/imports/{importId}': async (api) =>
    refused(await api.get(`/audiences/${bObjects.audienceId}/imports/${bObjects.importId}`)),
  'POST /webhooks/{id}/recover': async (api) =>
    refused(await api.post(`/webhooks/${bObjects.webhookId}/recover`, { since: '2020-01-01T00:00:00Z' })),
};

/** The same client with every path under /ajo, for the aliases of the /im/ routes. */
function underAjo(api: Client): Client {
  const request: Client['request'] = (method, path, body, headers) =>
    api.request(method, `/ajo${path}`, body, headers);
  return {
    key: api.key,
    request,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path) => request('DELETE', path),
  };
}

// Each /ajo alias runs its route's probe under /ajo: an alias must isolate exactly as its route does.
for (const route of routes as readonly RouteDefinition[]) {
  if (route.aliasOf === undefined) continue;
  const probe = probes[`${route.method} ${route.aliasOf}`];
  if (probe) probes[routeKey(route)] = (api) => probe(underAjo(api));
}

describe('sandbox isolation', () => {
  it('has a probe for every route in the route table', () => {
    expect(Object.keys(probes).sort()).toEqual(routes.map(routeKey).sort());
  });

  it.each(routes.map(routeKey))("sandbox A's admin key cannot reach sandbox B's objects: %s", async (key) => {
    await probes[key]?.(a.api);
  });

  it("leaves sandbox B's objects untouched", async () => {
    const campaign = await b.api.get<{ name: string; status: string }>(`/campaigns/${bObjects.campaignId}`);
    expect(campaign.body).toMatchObject({ name: emailCampaign.name, status: 'draft' });
    const live = await b.api.get<{ status: string }>(`/campaigns/${bObjects.liveCampaignId}`);
    expect(live.body.status).toBe('live');
    const profile = await b.api.get<{ attributes: Record<string, unknown> }>(
      `/profiles/email/${bObjects.email}`,
    );
    expect(profile.body.attributes).toEqual({ secret: 1 });
    expect((await b.api.get(`/suppressions/email/${BOUNCED}`)).status).toBe(200);
    // B's own listings show what A's do not.
    const suppressions = await b.api.get<{ items: { address: string }[] }>(
      '/suppressions?channel=email&limit=100',
    );
    expect(suppressions.body.items.map((s) => s.address)).toContain(BOUNCED);
    const schedules = await b.api.get<{ items: { scheduleId: string }[] }>(
      '/im/executions/schedules?limit=100',
    );
    expect(schedules.body.items.map((s) => s.scheduleId)).toContain(bObjects.scheduleId);
    const members = await b.api.get<{ items: { identities: { id: string }[] }[] }>(
      `/audiences/${bObjects.audienceId}/members`,
    );
    expect(members.body.items.flatMap((m) => m.identities.map((i) => i.id))).toContain(bObjects.email);
    expect((await b.api.get('/im/health')).status).toBe(200);
    const audience = await b.api.get<{ name: string; memberCount: number }>(
      `/audiences/${bObjects.audienceId}`,
    );
    expect(audience.body).toMatchObject({ name: 'b-only', memberCount: 1 });
    const schedule = await b.api.get<{ scheduleStatus: string }>(
      `/im/executions/schedules/${bObjects.scheduleId}`,
    );
    expect(schedule.body.scheduleStatus).toBe('Scheduled');
    const webhook = await b.api.get<{ enabled: boolean }>(`/webhooks/${bObjects.webhookId}`);
    expect(webhook.body.enabled).toBe(true);
    const configuration = await b.api.get<{ default: boolean }>(
      `/channel-configurations/${bObjects.channelConfigurationId}`,
    );
    expect(configuration.body.default).toBe(true);
  });
});
