import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';

/**
 * `GET /profiles/{namespace}/{id}/messages` over the real routes and the embedded engine's
 * `profileMessages` index: every message made for the profile (unitary calls, audience runs),
 * newest first, whichever identity finds it, as the messages are now; not test sends, not
 * external recipients, nothing of another profile or sandbox.
 */
type Item = {
  messageId: string;
  executionId: string;
  campaignId: string;
  channel: string;
  userId: string;
  namespace: string;
  status: string;
  statusCode?: string;
  createdAt: string;
  updatedAt: string;
};
type Listing = { items: Item[]; nextCursor?: string };

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;
let transactional = '';
let marketing = '';
const executions: string[] = [];
let runId = '';

const unitary = async (requestId: string, recipients: Record<string, unknown>[]) => {
  const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
    requestId,
    campaignId: transactional,
    recipients,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body.executionId;
};

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  const audience = (await api.post<{ id: string }>('/audiences', { name: 'Customers' })).body.id;
  await api.put('/profiles', {
    identities: [
      { namespace: 'email', id: 'ann@example.com' },
      { namespace: 'phone', id: '+14155550101' },
    ],
    consent: { marketing: { email: 'y' } },
    audiences: [audience],
  });
  await api.put('/profiles', {
    identities: [{ namespace: 'email', id: 'bob@example.com' }],
    consent: { marketing: { email: 'y' } },
    audiences: [audience],
  });
  transactional = (await api.post<{ id: string }>('/campaigns', emailCampaign)).body.id;
  await api.post(`/campaigns/${transactional}/activate`);
  const created = await api.post<{ id: string }>('/campaigns', {
    ...emailCampaign,
    name: 'Flash sale',
    category: 'marketing',
    audience: { id: audience },
  });
  marketing = created.body.id;
  expect((await api.post(`/campaigns/${marketing}/activate`)).status).toBe(200);

  executions.push(await unitary('first', [{ type: 'aep', userId: 'ann@example.com', namespace: 'email' }]));
  // Bob's message and an external recipient's are in the same execution: neither is Ann's.
  executions.push(
    await unitary('second', [
      { type: 'aep', userId: 'ann@example.com', namespace: 'email' },
      { type: 'aep', userId: 'bob@example.com', namespace: 'email' },
      { type: 'external', userId: 'x@example.com', namespace: 'email' },
    ]),
  );
  const run = await api.post<{ executionId: string }>('/im/executions/audience', { campaignId: marketing });
  runId = run.body.executionId;
  await waitFor(async () => {
    const status = await api.get<{ delivery: string }>(`/im/executions/audience/${runId}`);
    return status.body.delivery === 'Finished';
  }, 'the audience run to finish');
  // A test send to Ann's address is not a message of the campaign: not in her list.
  const test = await api.post(`/campaigns/${transactional}/tests`, {
    channelData: { emailAddress: 'ann@example.com' },
  });
  expect(test.status, JSON.stringify(test.body)).toBe(202);
});
afterAll(async () => {
  await herald?.stop();
});

describe('GET /profiles/{namespace}/{id}/messages', () => {
  it("lists the profile's messages newest first, with campaign, channel and current status", async () => {
    let listing: Listing | undefined;
    await waitFor(async () => {
      listing = (await api.get<Listing>('/profiles/email/ann@example.com/messages')).body;
      return listing.items.length === 3 && listing.items.every((m) => m.status === 'delivered');
    }, "Ann's three messages, delivered");
    const items = listing?.items ?? [];
    expect(items.map((m) => m.executionId)).toEqual([runId, executions[1], executions[0]]);
    expect(items.map((m) => m.campaignId)).toEqual([marketing, transactional, transactional]);
    for (const m of items) {
      expect(m).toMatchObject({ channel: 'email', userId: 'ann@example.com', namespace: 'email' });
      expect(Date.parse(m.updatedAt)).toBeGreaterThanOrEqual(Date.parse(m.createdAt));
    }
    expect(listing?.nextCursor).toBeUndefined();
    // The other identity finds the same profile, so the same messages.
    const byPhone = await api.get<Listing>(`/profiles/phone/${encodeURIComponent('+14155550101')}/messages`);
    expect(byPhone.body).toEqual(listing);
    const bob = await api.get<Listing>('/profiles/email/bob@example.com/messages');
    expect(bob.body.items.map((m) => m.executionId).sort()).toEqual([runId, executions[1]].sort());
  });

  it('pages with a cursor, and refuses a cursor or limit it did not make', async () => {
    const all = (await api.get<Listing>('/profiles/email/ann@example.com/messages')).body.items;
    const seen: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get<Listing>(
        `/profiles/email/ann@example.com/messages?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);

    const forged = Buffer.from(
      JSON.stringify({ at: '2026-01-01T00:00:00.000Z#x', pk: 'SB#other#EXEC#e', sk: 'MSG#m' }),
    ).toString('base64url');
    for (const query of [`cursor=${forged}`, 'cursor=not-a-cursor']) {
      const bad = await api.get<{ fields: { path: string }[] }>(
        `/profiles/email/ann@example.com/messages?${query}`,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.fields.map((f) => f.path)).toEqual(['query.cursor']);
    }
    const limit = await api.get<{ fields: { path: string }[] }>(
      '/profiles/email/ann@example.com/messages?limit=0',
    );
    expect(limit.status).toBe(400);
    expect(limit.body.fields.map((f) => f.path)).toEqual(['query.limit']);
  });

  it('answers 404 for an unknown identity, 400 for a malformed one', async () => {
    expect((await api.get('/profiles/email/nobody@example.com/messages')).status).toBe(404);
    const bad = await api.get<{ fields: { path: string }[] }>('/profiles/phone/not-a-phone/messages');
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f) => f.path)).toEqual(['path.id']);
  });

  it('needs executions:read (profiles:read alone sees no sending history) and stays in the key sandbox', async () => {
    const profilesOnly = await herald.root.post<{ key: string }>('/api-keys', {
      sandbox,
      scopes: ['profiles:read'],
    });
    expect(
      (await client(herald.url, profilesOnly.body.key).get('/profiles/email/ann@example.com/messages'))
        .status,
    ).toBe(403);
    const reader = await herald.root.post<{ key: string }>('/api-keys', {
      sandbox,
      scopes: ['executions:read'],
    });
    const read = await client(herald.url, reader.body.key).get<Listing>(
      '/profiles/email/ann@example.com/messages',
    );
    expect(read.status).toBe(200);
    expect(read.body.items).toHaveLength(3);
    const other = await sandboxWithKey(herald, ['admin']);
    expect((await other.api.get('/profiles/email/ann@example.com/messages')).status).toBe(404);
    await other.api.put('/profiles', { identities: [{ namespace: 'email', id: 'ann@example.com' }] });
    expect((await other.api.get<Listing>('/profiles/email/ann@example.com/messages')).body).toEqual({
      items: [],
    });
  });
});
