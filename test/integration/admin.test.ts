import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, sandboxName, sandboxWithKey, startTestHerald } from './harness.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;

beforeAll(async () => {
  herald = await startTestHerald();
});
afterAll(async () => {
  await herald?.stop();
});

describe('sandboxes', () => {
  it('are created and listed by the root key, and names are unique', async () => {
    const name = sandboxName();
    const created = await herald.root.post('/sandboxes', { name });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name });
    const again = await herald.root.post('/sandboxes', { name });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:herald:problem:already-exists');
    const list = await herald.root.get<{ items: { name: string }[] }>('/sandboxes');
    expect(list.body.items.map((s) => s.name)).toContain(name);
  });

  it('cannot be managed by a sandbox key, even an admin one', async () => {
    const { api, sandbox } = await sandboxWithKey(herald, ['admin']);
    expect((await api.post('/sandboxes', { name: sandboxName() })).status).toBe(403);
    expect((await api.get('/sandboxes')).status).toBe(403);
    expect((await api.patch(`/sandboxes/${sandbox}`, { defaultCountry: 'US' })).status).toBe(403);
  });

  it('take a default country at creation, changed or removed with PATCH', async () => {
    const name = sandboxName();
    const created = await herald.root.post('/sandboxes', { name, defaultCountry: 'US' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, defaultCountry: 'US' });
    const changed = await herald.root.patch(`/sandboxes/${name}`, { defaultCountry: 'FR' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name, defaultCountry: 'FR', modifiedAt: expect.any(String) });
    const list = await herald.root.get<{ items: { name: string; defaultCountry?: string }[] }>('/sandboxes');
    expect(list.body.items.find((s) => s.name === name)?.defaultCountry).toBe('FR');
    const removed = await herald.root.patch(`/sandboxes/${name}`, { defaultCountry: null });
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty('defaultCountry');
    expect((await herald.root.patch(`/sandboxes/${name}`, {})).body).toMatchObject({ name });
  });

  it('refuse a country that is not one, and PATCH of a sandbox that does not exist', async () => {
    for (const defaultCountry of ['us', 'USA', 'XX', 'ZZ']) {
      const answer = await herald.root.post('/sandboxes', { name: sandboxName(), defaultCountry });
      expect(answer.status, defaultCountry).toBe(400);
      expect((answer.body.fields as { path: string }[])[0]?.path).toBe('body.defaultCountry');
    }
    const { sandbox } = await sandboxWithKey(herald, ['admin']);
    const patch = await herald.root.patch(`/sandboxes/${sandbox}`, { defaultCountry: 'XX' });
    expect(patch.status).toBe(400);
    expect(
      (await herald.root.patch(`/sandboxes/${sandboxName('none')}`, { defaultCountry: 'US' })).status,
    ).toBe(404);
  });
});

describe('API keys', () => {
  let sandbox: string;
  let admin: Client;

  beforeAll(async () => {
    ({ sandbox, api: admin } = await sandboxWithKey(herald, ['admin']));
  });

  it('are shown once and listed without their secret', async () => {
    const created = await admin.post<{ id: string; key: string; scopes: string[]; sandbox: string }>(
      '/api-keys',
      {
        scopes: ['campaigns:read'],
        name: 'reader',
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^hrld_[A-Za-z0-9_-]{43}$/);
    expect(created.body.sandbox).toBe(sandbox);
    const listed = await admin.get<{ items: Record<string, unknown>[] }>('/api-keys');
    const entry = listed.body.items.find((k) => k.id === created.body.id);
    expect(entry).toMatchObject({ name: 'reader', scopes: ['campaigns:read'], sandbox });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect(Object.keys(entry ?? {})).not.toContain('hash');
  });

  it('authenticate with Bearer; a missing or unknown key is 401 with a problem document', async () => {
    const anonymous = client(herald.url, '');
    const missing = await anonymous.get('/im/health');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const unknown = await client(herald.url, 'hrld_not-a-real-key').get('/im/health');
    expect(unknown.status).toBe(401);
    expect(unknown.body.type).toBe('urn:herald:problem:unauthorized');
    const basic = await anonymous.request('GET', '/im/health', undefined, {
      authorization: 'Basic Zm9vOmJhcg==',
    });
    expect(basic.status).toBe(401);
  });

  it('carry scopes: a key without the route scope gets 403', async () => {
    const reader = await admin.post<{ key: string }>('/api-keys', { scopes: ['campaigns:read'] });
    const api = client(herald.url, reader.body.key);
    expect((await api.get('/campaigns')).status).toBe(200);
    const write = await api.post('/campaigns', { name: 'x' });
    expect(write.status).toBe(403);
    expect(write.body.detail).toContain('campaigns:write');
    expect((await api.get('/api-keys')).status).toBe(403);
    expect((await api.put('/profiles', { identities: [{ namespace: 'email', id: 'a@b.co' }] })).status).toBe(
      403,
    );
  });

  it('stop working once deleted', async () => {
    const created = await admin.post<{ id: string; key: string }>('/api-keys', {
      scopes: ['campaigns:read'],
    });
    const api = client(herald.url, created.body.key);
    expect((await api.get('/campaigns')).status).toBe(200);
    expect((await admin.delete(`/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await api.get('/campaigns')).status).toBe(401);
    expect((await admin.delete(`/api-keys/${created.body.id}`)).status).toBe(404);
  });

  it('of one sandbox cannot create, list or delete keys of another', async () => {
    const other = await sandboxWithKey(herald, ['admin']);
    const otherKey = await other.api.post<{ id: string }>('/api-keys', { scopes: ['campaigns:read'] });
    expect((await admin.post('/api-keys', { sandbox: other.sandbox, scopes: ['admin'] })).status).toBe(403);
    expect((await admin.get(`/api-keys?sandbox=${other.sandbox}`)).status).toBe(403);
    expect((await admin.delete(`/api-keys/${otherKey.body.id}`)).status).toBe(404);
    const stillThere = await other.api.get<{ items: { id: string }[] }>('/api-keys');
    expect(stillThere.body.items.map((k) => k.id)).toContain(otherKey.body.id);
  });

  it('are managed by the root key for a named, existing sandbox', async () => {
    expect((await herald.root.post('/api-keys', { scopes: ['admin'] })).status).toBe(400);
    expect(
      (await herald.root.post('/api-keys', { sandbox: sandboxName('none'), scopes: ['admin'] })).status,
    ).toBe(404);
    const listed = await herald.root.get<{ items: unknown[] }>(`/api-keys?sandbox=${sandbox}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
  });

  it('the root key has no sandbox, so sandbox routes refuse it', async () => {
    const answer = await herald.root.get('/campaigns');
    expect(answer.status).toBe(403);
    expect(answer.body.detail).toContain('no sandbox');
  });

  it('x-sandbox-name must match the key when sent', async () => {
    const same = await admin.request('GET', '/campaigns', undefined, { 'x-sandbox-name': sandbox });
    expect(same.status).toBe(200);
    const other = await admin.request('GET', '/campaigns', undefined, { 'x-sandbox-name': 'someone-else' });
    expect(other.status).toBe(403);
  });
});

describe('x-sandbox-name on every route', () => {
  let sandbox: string;
  let admin: Client;
  const as = (name: string) => ({ 'x-sandbox-name': name });

  beforeAll(async () => {
    ({ sandbox, api: admin } = await sandboxWithKey(herald, ['admin']));
  });

  it("is checked against a sandbox key's sandbox on routes that never ask for it", async () => {
    for (const path of ['/im/health', '/openapi.json', '/api-keys']) {
      expect((await admin.request('GET', path, undefined, as(sandbox))).status, path).toBe(200);
      const other = await admin.request('GET', path, undefined, as('someone-else'));
      expect(other.status, path).toBe(403);
      expect(other.body.detail).toContain('x-sandbox-name');
    }
  });

  it('on /api-keys with a sandbox key: a mismatch is 403 and creates, lists or revokes nothing', async () => {
    const created = await admin.request<{ id: string; sandbox: string }>(
      'POST',
      '/api-keys',
      { scopes: ['campaigns:read'] },
      as(sandbox),
    );
    expect(created.status).toBe(201);
    expect(created.body.sandbox).toBe(sandbox);
    const before = await admin.get<{ items: unknown[] }>('/api-keys');
    const refused = await admin.request('POST', '/api-keys', { scopes: ['admin'] }, as('someone-else'));
    expect(refused.status).toBe(403);
    expect((await admin.request('GET', '/api-keys', undefined, as('someone-else'))).status).toBe(403);
    const revoke = await admin.request('DELETE', `/api-keys/${created.body.id}`, undefined, as('nope-nope'));
    expect(revoke.status).toBe(403);
    const after = await admin.get<{ items: { id: string }[] }>('/api-keys');
    expect(after.body.items).toHaveLength(before.body.items.length);
    expect(after.body.items.map((k) => k.id)).toContain(created.body.id);
  });

  it('on /api-keys with the root key: it must match the sandbox the call names, or names it', async () => {
    const root = herald.root;
    const named = await root.request<{ id: string; sandbox: string }>(
      'POST',
      '/api-keys',
      { sandbox, scopes: ['campaigns:read'] },
      as(sandbox),
    );
    expect(named.status).toBe(201);
    const byHeader = await root.request<{ id: string; sandbox: string }>(
      'POST',
      '/api-keys',
      { scopes: ['campaigns:read'] },
      as(sandbox),
    );
    expect(byHeader.status).toBe(201);
    expect(byHeader.body.sandbox).toBe(sandbox);
    const other = await sandboxWithKey(herald, ['admin']);
    const mismatch = await root.request(
      'POST',
      '/api-keys',
      { sandbox, scopes: ['admin'] },
      as(other.sandbox),
    );
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.detail).toContain(`'${sandbox}'`);

    const listed = await root.request<{ items: { id: string; sandbox: string }[] }>(
      'GET',
      '/api-keys',
      undefined,
      as(sandbox),
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((k) => k.id)).toEqual(
      expect.arrayContaining([named.body.id, byHeader.body.id]),
    );
    expect(new Set(listed.body.items.map((k) => k.sandbox))).toEqual(new Set([sandbox]));
    expect(
      (await root.request('GET', `/api-keys?sandbox=${sandbox}`, undefined, as(other.sandbox))).status,
    ).toBe(403);
    const wrongRevoke = await root.request(
      'DELETE',
      `/api-keys/${named.body.id}?sandbox=${sandbox}`,
      undefined,
      {
        ...as(other.sandbox),
      },
    );
    expect(wrongRevoke.status).toBe(403);
    expect((await root.request('DELETE', `/api-keys/${named.body.id}`, undefined, as(sandbox))).status).toBe(
      204,
    );
    // The header named the sandbox the key lives in; in another sandbox the key is not found.
    expect(
      (await root.request('DELETE', `/api-keys/${byHeader.body.id}`, undefined, as(other.sandbox))).status,
    ).toBe(404);
  });

  it('with the root key on sandbox management: it must be the sandbox the call names', async () => {
    const name = sandboxName();
    expect((await herald.root.request('POST', '/sandboxes', { name }, as('someone-else'))).status).toBe(403);
    expect((await herald.root.request('POST', '/sandboxes', { name }, as(name))).status).toBe(201);
    // Listing works in no sandbox, so the root key's header cannot match anything there.
    expect((await herald.root.request('GET', '/sandboxes', undefined, as(name))).status).toBe(403);
    expect((await herald.root.request('GET', '/im/health', undefined, as(name))).status).toBe(403);
    expect((await herald.root.get('/sandboxes')).status).toBe(200);
  });
});

describe('system routes', () => {
  it('serve health and the OpenAPI document to any valid key', async () => {
    const { api } = await sandboxWithKey(herald, ['campaigns:read']);
    const health = await api.get('/im/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const openapi = await api.get<{ openapi: string; paths: Record<string, unknown> }>('/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toContain('/campaigns/{id}/activate');
  });

  it('answers an unknown route with a route-not-found problem (more in routing.test.ts)', async () => {
    const answer = await herald.root.get<{ type: string }>('/nope');
    expect(answer.status).toBe(404);
    expect(answer.body.type).toBe('urn:herald:problem:route-not-found');
  });
});
