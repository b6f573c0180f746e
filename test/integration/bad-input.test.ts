import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let liveId: string;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['admin']));
  const live = await api.post<{ id: string }>('/campaigns', emailCampaign);
  liveId = live.body.id;
  await api.post(`/campaigns/${liveId}/activate`);
});
afterAll(async () => {
  await herald?.stop();
});

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string | (() => string);
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly type: string;
  /** A field path the problem document must name. */
  readonly field?: string;
}

const campaign = (overrides: Record<string, unknown>) => ({ ...emailCampaign, ...overrides });
const twentyOneIdentities = Array.from({ length: 21 }, (_, i) => ({
  namespace: 'email',
  id: `p${i}@example.com`,
}));

const cases: Case[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/campaigns',
    body: '{"name": ',
    status: 400,
    type: 'malformed-json',
    field: 'body',
  },
  {
    name: 'a JSON array instead of an object',
    method: 'POST',
    path: '/campaigns',
    body: '[]',
    status: 400,
    type: 'validation',
    field: 'body',
  },
  { name: 'no body', method: 'POST', path: '/campaigns', status: 400, type: 'malformed-json', field: 'body' },
  {
    name: 'a body that is not JSON',
    method: 'POST',
    path: '/campaigns',
    body: 'name=x',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    type: 'unsupported-media-type',
    field: 'header.content-type',
  },
  {
    name: 'a body over the 1 MiB limit',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ description: 'x'.repeat(1_100_000) }),
    status: 413,
    type: 'payload-too-large',
    field: 'body',
  },
  {
    name: 'an unknown field',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ colour: 'red' }),
    status: 400,
    type: 'validation',
    field: 'body.colour',
  },
  {
    name: 'a wrong type',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ name: 5 }),
    status: 400,
    type: 'validation',
    field: 'body.name',
  },
  {
    name: 'an unknown category',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ category: 'promo' }),
    status: 400,
    type: 'validation',
    field: 'body.category',
  },
  {
    name: 'throttle below 1',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ category: 'marketing', throttleRatePerSec: 0 }),
    status: 400,
    type: 'validation',
    field: 'body.throttleRatePerSec',
  },
  {
    name: 'throttle above 2000',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ category: 'marketing', throttleRatePerSec: 2001 }),
    status: 400,
    type: 'validation',
    field: 'body.throttleRatePerSec',
  },
  {
    name: 'createNewProfiles on marketing',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ category: 'marketing', createNewProfiles: true }),
    status: 400,
    type: 'validation',
    field: 'body.createNewProfiles',
  },
  {
    name: 'an audience on transactional',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ audience: { id: 'a1' } }),
    status: 400,
    type: 'validation',
    field: 'body.audience',
  },
  {
    name: 'start after end',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ schedule: { startDate: '2030-02-01T00:00:00Z', endDate: '2030-01-01T00:00:00Z' } }),
    status: 400,
    type: 'validation',
    field: 'body.schedule.endDate',
  },
  {
    name: 'a date that is not ISO 8601',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ schedule: { startDate: 'tomorrow' } }),
    status: 400,
    type: 'validation',
    field: 'body.schedule.startDate',
  },
  {
    name: 'email content on an sms campaign',
    method: 'POST',
    path: '/campaigns',
    body: campaign({ channel: 'sms', identityNamespace: 'phone' }),
    status: 400,
    type: 'validation',
    field: 'body.content.subject',
  },
  {
    name: 'a push campaign without title',
    method: 'POST',
    path: '/campaigns',
    body: campaign({
      channel: 'push',
      appId: 'com.example.app',
      identityNamespace: 'ecid',
      content: { body: 'x' },
    }),
    status: 400,
    type: 'validation',
    field: 'body.content.title',
  },
  {
    name: 'a campaign id that is not a UUID',
    method: 'GET',
    path: '/campaigns/123',
    status: 400,
    type: 'validation',
    field: 'path.id',
  },
  {
    name: 'an unknown campaign',
    method: 'GET',
    path: '/campaigns/01a20708-a928-7d86-8254-5a5c8f38d212',
    status: 404,
    type: 'not-found',
  },
  {
    name: 'a null for a required member in PATCH',
    method: 'PATCH',
    path: () => `/campaigns/${liveId}`,
    body: { category: null },
    status: 400,
    type: 'validation',
    field: 'body.category',
  },
  {
    name: 'limit 0',
    method: 'GET',
    path: '/campaigns?limit=0',
    status: 400,
    type: 'validation',
    field: 'query.limit',
  },
  {
    name: 'limit not a number',
    method: 'GET',
    path: '/campaigns?limit=abc',
    status: 400,
    type: 'validation',
    field: 'query.limit',
  },
  {
    name: 'a forged cursor',
    method: 'GET',
    path: `/campaigns?cursor=${Buffer.from('{"pk":"SB#other","sk":"CAMPAIGN#x"}').toString('base64url')}`,
    status: 400,
    type: 'validation',
    field: 'query.cursor',
  },
  {
    name: 'an unknown query parameter',
    method: 'GET',
    path: '/campaigns?colour=red',
    status: 400,
    type: 'validation',
    field: 'query.colour',
  },
  {
    name: 'a query on a route without one',
    method: 'GET',
    path: '/namespaces?x=1',
    status: 400,
    type: 'validation',
    field: 'query.x',
  },
  {
    name: 'a body on a route without one',
    method: 'POST',
    path: () => `/campaigns/${liveId}/stop`,
    body: { now: true },
    status: 400,
    type: 'malformed-json',
    field: 'body',
  },
  {
    name: 'no identities',
    method: 'PUT',
    path: '/profiles',
    body: { identities: [] },
    status: 400,
    type: 'validation',
    field: 'body.identities',
  },
  {
    name: 'more than 20 identities',
    method: 'PUT',
    path: '/profiles',
    body: { identities: twentyOneIdentities },
    status: 400,
    type: 'validation',
    field: 'body.identities',
  },
  {
    name: 'attributes over 100 KB',
    method: 'PUT',
    path: '/profiles',
    body: {
      identities: [{ namespace: 'email', id: 'big@example.com' }],
      attributes: { blob: 'x'.repeat(100_001) },
    },
    status: 400,
    type: 'validation',
    field: 'body.attributes',
  },
  {
    name: 'consent other than y/n',
    method: 'PUT',
    path: '/profiles',
    body: {
      identities: [{ namespace: 'email', id: 'c@example.com' }],
      consent: { marketing: { email: 'yes' } },
    },
    status: 400,
    type: 'validation',
    field: 'body.consent.marketing.email',
  },
  {
    name: 'a malformed email in the path',
    method: 'GET',
    path: '/profiles/email/not-an-email',
    status: 400,
    type: 'validation',
    field: 'path.id',
  },
  {
    name: 'a sandbox name with spaces',
    method: 'POST',
    path: '/api-keys',
    body: { sandbox: 'A B', scopes: ['admin'] },
    status: 400,
    type: 'validation',
    field: 'body.sandbox',
  },
  {
    name: 'an unknown scope',
    method: 'POST',
    path: '/api-keys',
    body: { scopes: ['everything'] },
    status: 400,
    type: 'validation',
    field: 'body.scopes[0]',
  },
  {
    name: 'a repeated scope',
    method: 'POST',
    path: '/api-keys',
    body: { scopes: ['admin', 'admin'] },
    status: 400,
    type: 'validation',
    field: 'body.scopes',
  },
  {
    name: 'a namespace code with a space',
    method: 'POST',
    path: '/namespaces',
    body: { code: 'my id' },
    status: 400,
    type: 'validation',
    field: 'body.code',
  },
];

describe('bad input is a 4xx problem document naming the field, and writes nothing', () => {
  it.each(cases)('$name → $status $type', async (c) => {
    const before = await api.get<{ items: unknown[] }>('/campaigns?limit=100');
    const path = typeof c.path === 'function' ? c.path() : c.path;
    const answer = await api.request(c.method, path, c.body, c.headers);
    expect(answer.status, JSON.stringify(answer.body)).toBe(c.status);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ type: `urn:herald:problem:${c.type}`, status: c.status });
    expect(answer.body.title).toBeTypeOf('string');
    expect(answer.body.report).toHaveProperty('correlationId');
    const { additionalContext, ...members } = answer.body.report as Record<string, unknown>;
    expect(additionalContext).toEqual(members);
    if (c.field) {
      const paths = ((answer.body.fields ?? []) as { path: string }[]).map((f) => f.path);
      expect(
        paths.some((p) => p === c.field || p.startsWith(`${c.field}|`)),
        `fields: ${paths.join(', ')}`,
      ).toBe(true);
    }
    const after = await api.get<{ items: unknown[] }>('/campaigns?limit=100');
    expect(after.body.items).toEqual(before.body.items);
  });
});
