import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, sandboxWithKey, startTestHerald } from './harness.ts';

type Audience = { id: string; name: string; description?: string; memberCount?: number };
type Progress = {
  importId: string;
  chunks: number;
  lines: number;
  imported: number;
  created: number;
  rejected: number;
  rejections: { line: number; reason: string }[];
};

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['admin']));
});
afterAll(async () => {
  await herald?.stop();
});

const create = async (name = 'Newsletter') => (await api.post<Audience>('/audiences', { name })).body;
const count = async (id: string) => (await api.get<Audience>(`/audiences/${id}`)).body.memberCount;
const email = (id: string) => ({ namespace: 'email', id });

describe('audiences', () => {
  it('are created, listed, read with a count, renamed and deleted', async () => {
    const created = await api.post<Audience>('/audiences', { name: 'VIP', description: 'big spenders' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'VIP', description: 'big spenders', memberCount: 0 });
    const list = await api.get<{ items: Audience[] }>('/audiences');
    expect(list.body.items.map((a) => a.id)).toContain(created.body.id);
    const patched = await api.patch<Audience>(`/audiences/${created.body.id}`, {
      name: 'VIPs',
      description: null,
    });
    expect(patched.body.name).toBe('VIPs');
    expect(patched.body.description).toBeUndefined();
    await api.post(`/audiences/${created.body.id}/members`, { identities: [email('vip@example.com')] });
    expect((await api.delete(`/audiences/${created.body.id}`)).status).toBe(204);
    expect((await api.get(`/audiences/${created.body.id}`)).status).toBe(404);
    // The profile stays; only the membership went with the audience.
    expect((await api.get('/profiles/email/vip@example.com')).status).toBe(200);
  });

  it('add members by identity, creating unknown profiles, counting each profile once, rejecting bad identities', async () => {
    const audience = await create();
    await api.put('/profiles', {
      identities: [email('known@example.com'), { namespace: 'phone', id: '+14155550177' }],
    });
    const added = await api.post<{
      added: number;
      created: number;
      rejected: { line: number; reason: string }[];
    }>(`/audiences/${audience.id}/members`, {
      identities: [
        email('known@example.com'),
        { namespace: 'phone', id: '+1 415 555 0177' },
        email('NEW@example.com'),
        email('not-an-email'),
        { namespace: 'loyalty', id: 'L1' },
      ],
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ added: 3, created: 1 });
    expect(added.body.rejected).toEqual([
      { line: 3, reason: 'email must be an email address' },
      { line: 4, reason: "namespace 'loyalty' is not registered in this sandbox" },
    ]);
    // known@ and its phone are one profile; new@ is another.
    expect(await count(audience.id)).toBe(2);
    const again = await api.post(`/audiences/${audience.id}/members`, {
      identities: [email('new@example.com')],
    });
    expect(again.status).toBe(200);
    expect(await count(audience.id)).toBe(2);
    const created = await api.get<{ dataset: string }>('/profiles/email/new@example.com');
    expect(created.body.dataset).toBe('profiles');
  });

  it('list members with their identities, page by page, each once', async () => {
    const audience = await create('Listed');
    const identities = Array.from({ length: 45 }, (_, i) => email(`list${i}@example.com`));
    await api.post(`/audiences/${audience.id}/members`, { identities });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await api.get<{
        items: { profileId: string; identities: { id: string }[] }[];
        nextCursor?: string;
      }>(`/audiences/${audience.id}/members?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(10);
      for (const member of page.body.items) {
        expect(member.profileId).toEqual(expect.any(String));
        seen.push(...member.identities.map((i) => i.id));
      }
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 30);
    expect(seen.sort()).toEqual(identities.map((i) => i.id).sort());
    expect(pages).toBeGreaterThanOrEqual(5);
    const bad = await api.get(
      `/audiences/${audience.id}/members?cursor=${Buffer.from('{"shard":3,"after":"X#1"}').toString('base64url')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ fields: [{ path: 'query.cursor' }] });
    expect((await api.get('/audiences/00000000-0000-4000-8000-000000000000/members')).status).toBe(404);
  });

  it('remove members', async () => {
    const audience = await create();
    await api.post(`/audiences/${audience.id}/members`, {
      identities: [email('r1@example.com'), email('r2@example.com')],
    });
    const removed = await api.request<{ removed: number; notMembers: number }>(
      'DELETE',
      `/audiences/${audience.id}/members`,
      {
        identities: [email('r1@example.com'), email('stranger@example.com')],
      },
    );
    expect(removed.body).toEqual({ removed: 1, notMembers: 1 });
    expect(await count(audience.id)).toBe(1);
  });

  it('import newline-delimited identities in chunks, with progress and bad lines reported', async () => {
    const audience = await create('Imported');
    const first = await api.post<Progress>(`/audiences/${audience.id}/imports`, {
      lines: [
        JSON.stringify(email('i1@example.com')),
        JSON.stringify(email('i2@example.com')),
        'this is not json',
        '',
        JSON.stringify(email('broken')),
      ].join('\n'),
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ chunks: 1, lines: 5, imported: 2, created: 2, rejected: 2 });
    expect(first.body.rejections).toEqual([
      { line: 3, reason: 'not JSON' },
      { line: 5, reason: 'email must be an email address' },
    ]);
    const second = await api.post<Progress>(`/audiences/${audience.id}/imports`, {
      importId: first.body.importId,
      lines: `${JSON.stringify(email('i3@example.com'))}\n${JSON.stringify({ namespace: 'phone' })}\n`,
    });
    expect(second.body).toMatchObject({
      importId: first.body.importId,
      chunks: 2,
      lines: 7,
      imported: 3,
      created: 3,
      rejected: 3,
    });
    expect(second.body.rejections.at(-1)).toEqual({
      line: 7,
      reason: 'not an identity {"namespace": …, "id": …}',
    });
    const progress = await api.get<Progress>(`/audiences/${audience.id}/imports/${first.body.importId}`);
    expect(progress.body).toEqual(second.body);
    expect(await count(audience.id)).toBe(3);
    const tooMany = await api.post(`/audiences/${audience.id}/imports`, {
      lines: Array(1001).fill('{}').join('\n'),
    });
    expect(tooMany.status).toBe(400);
  });

  it('are joined from PUT /profiles, which refuses unknown audiences without writing', async () => {
    const audience = await create('Joined');
    const joined = await api.put('/profiles', {
      identities: [email('joiner@example.com')],
      audiences: [audience.id],
    });
    expect(joined.status).toBe(200);
    expect(await count(audience.id)).toBe(1);
    const refused = await api.put('/profiles', {
      identities: [email('nobody-yet@example.com')],
      audiences: ['01a20708-a928-7d86-8254-5a5c8f38d212'],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([expect.objectContaining({ path: 'body.audiences[0]' })]);
    expect((await api.get('/profiles/email/nobody-yet@example.com')).status).toBe(404);
  });

  it('need audiences:write to change and audiences:read to read', async () => {
    const audience = await create();
    const reader = await api.post<{ key: string }>('/api-keys', { scopes: ['audiences:read'] });
    const readOnly = client(herald.url, reader.body.key);
    expect((await readOnly.get(`/audiences/${audience.id}`)).status).toBe(200);
    expect(
      (await readOnly.post(`/audiences/${audience.id}/members`, { identities: [email('x@example.com')] }))
        .status,
    ).toBe(403);
    expect((await readOnly.post('/audiences', { name: 'x' })).status).toBe(403);
  });
});
