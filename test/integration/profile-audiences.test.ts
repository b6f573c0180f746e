import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * `GET /profiles/{namespace}/{id}/audiences` over the real routes: the audiences a profile is a
 * member of (by name), found by any of its identities, in the key's sandbox only.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  for (const name of ['Weekly', 'Alpha', 'VIP'])
    ids[name] = (await api.post<{ id: string }>('/audiences', { name })).body.id;
  const upserted = await api.put('/profiles', {
    identities: [
      { namespace: 'email', id: 'ann@example.com' },
      { namespace: 'phone', id: '+33612345678' },
    ],
    audiences: [ids.Weekly, ids.Alpha],
  });
  expect(upserted.status, JSON.stringify(upserted.body)).toBe(200);
  await api.put('/profiles', {
    identities: [{ namespace: 'email', id: 'bob@example.com' }],
    audiences: [ids.VIP],
  });
  await api.put('/profiles', { identities: [{ namespace: 'email', id: 'cat@example.com' }] });
});
afterAll(async () => {
  await herald?.stop();
});

describe('GET /profiles/{namespace}/{id}/audiences', () => {
  it("lists the profile's audiences by name, whichever identity finds it", async () => {
    const byEmail = await api.get('/profiles/email/ANN@example.com/audiences');
    expect(byEmail.status).toBe(200);
    expect(byEmail.body).toEqual({
      items: [
        { id: ids.Alpha, name: 'Alpha' },
        { id: ids.Weekly, name: 'Weekly' },
      ],
    });
    expect((await api.get(`/profiles/phone/${encodeURIComponent('+33612345678')}/audiences`)).body).toEqual(
      byEmail.body,
    );
    expect((await api.get('/profiles/email/cat@example.com/audiences')).body).toEqual({ items: [] });
  });

  it('follows removals, answers 404 for an unknown identity and 400 for a bad one', async () => {
    await api.request('DELETE', `/audiences/${ids.Alpha}/members`, {
      identities: [{ namespace: 'email', id: 'ann@example.com' }],
    });
    expect(
      (await api.get<{ items: { name: string }[] }>('/profiles/email/ann@example.com/audiences')).body.items,
    ).toEqual([{ id: ids.Weekly, name: 'Weekly' }]);
    expect((await api.get('/profiles/email/nobody@example.com/audiences')).status).toBe(404);
    const bad = await api.get<{ fields: { path: string }[] }>('/profiles/phone/not-a-phone/audiences');
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f) => f.path)).toEqual(['path.id']);
  });

  it('needs profiles:read and stays in the key sandbox', async () => {
    const key = await herald.root.post<{ key: string }>('/api-keys', { sandbox, scopes: ['audiences:read'] });
    expect(
      (await client(herald.url, key.body.key).get('/profiles/email/ann@example.com/audiences')).status,
    ).toBe(403);
    const other = await sandboxWithKey(herald, ['admin']);
    expect((await other.api.get('/profiles/email/ann@example.com/audiences')).status).toBe(404);
  });
});
