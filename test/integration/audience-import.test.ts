import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';

type Progress = {
  importId: string;
  format: string;
  columns?: string[];
  chunks: number;
  lines: number;
  imported: number;
  created: number;
  rejected: number;
  rejections: { line: number; reason: string }[];
};
type Profile = { attributes: Record<string, unknown>; consent: { marketing?: Record<string, string> } };

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['admin']));
});
afterAll(async () => {
  await herald?.stop();
});

const audience = async (name: string) => (await api.post<{ id: string }>('/audiences', { name })).body.id;
const members = async (id: string) =>
  (await api.get<{ memberCount: number }>(`/audiences/${id}`)).body.memberCount;
const profile = async (address: string) => (await api.get<Profile>(`/profiles/email/${address}`)).body;

describe('CSV imports', () => {
  it('carry identities, attributes and marketing consent, over chunks, with bad lines reported', async () => {
    const id = await audience('csv');
    // An existing profile: the import merges into it (its other attributes stay).
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'ann@example.com' }],
      attributes: { tier: 'gold' },
    });
    const first = await api.post<Progress>(`/audiences/${id}/imports`, {
      format: 'csv',
      lines: [
        'email,phone,attributes.firstName,consent.marketing.email',
        'ann@example.com,,Ann,y',
        '"Bob@Example.com",+14155550100,"Bob, Jr.",n',
        'cat@example.com,,,',
        'dan@example.com,,Dan,maybe',
        ',,Nobody,y',
        'not-an-email,,Eve,y',
        'too,many,fields,here,really',
      ].join('\r\n'),
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      format: 'csv',
      columns: ['email', 'phone', 'attributes.firstName', 'consent.marketing.email'],
      chunks: 1,
      lines: 8,
      imported: 3,
      created: 2,
      rejected: 4,
    });
    expect(first.body.rejections.map((r) => r.line)).toEqual([5, 6, 7, 8]);
    expect(first.body.rejections[0]?.reason).toBe('consent.marketing.email must be y or n');
    expect(first.body.rejections[1]?.reason).toBe('no identity: every identity column is empty');
    expect(first.body.rejections[2]?.reason).toContain('email address');
    expect(first.body.rejections[3]?.reason).toBe('has 5 fields; the header has 4');

    // A second chunk: no header (the import kept it), line numbers go on.
    const second = await api.post<Progress>(`/audiences/${id}/imports`, {
      importId: first.body.importId,
      // Fay twice: the repeat merges after the first (as two PUT /profiles in turn would).
      lines: 'fay@example.com,,Fay,y\nfay@example.com,,Fay Two,\n',
    });
    expect(second.body).toMatchObject({ chunks: 2, lines: 10, imported: 5, created: 3, rejected: 4 });
    expect(await members(id)).toBe(4);

    expect(await profile('ann@example.com')).toMatchObject({
      attributes: { tier: 'gold', firstName: 'Ann' },
      consent: { marketing: { email: 'y' } },
    });
    const bob = await api.get<Profile & { identities: { namespace: string; id: string }[] }>(
      '/profiles/phone/+14155550100',
    );
    expect(bob.body).toMatchObject({
      attributes: { firstName: 'Bob, Jr.' },
      consent: { marketing: { email: 'n' } },
      identities: [
        { namespace: 'email', id: 'bob@example.com' },
        { namespace: 'phone', id: '+14155550100' },
      ],
    });
    expect(await profile('cat@example.com')).toMatchObject({ attributes: {}, consent: {} });
    expect(await profile('fay@example.com')).toMatchObject({
      attributes: { firstName: 'Fay Two' },
      consent: { marketing: { email: 'y' } },
    });

    // The format stays the import's.
    const mixed = await api.post(`/audiences/${id}/imports`, {
      importId: first.body.importId,
      format: 'ndjson',
      lines: '{"namespace":"email","id":"x@example.com"}',
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body).toMatchObject({ fields: [{ path: 'body.format', message: 'this import is csv' }] });
  });

  it('give what upserting the lines in order would: the last line about a person wins', async () => {
    const id = await audience('order');
    // A profile known by two identities, named by two lines through different ones.
    await api.put('/profiles', {
      identities: [
        { namespace: 'email', id: 'pat@example.com' },
        { namespace: 'phone', id: '+14155550101' },
      ],
    });
    const answer = await api.post<Progress>(`/audiences/${id}/imports`, {
      format: 'csv',
      lines: [
        'email,phone,attributes.tier',
        // A line of two identities, then a line of one about the same new person.
        'quinn@example.com,+14155550102,gold',
        'quinn@example.com,,silver',
        'pat@example.com,,A',
        ',+14155550101,B',
        'solo@example.com,,bronze',
      ].join('\n'),
    });
    expect(answer.body).toMatchObject({ imported: 5, rejected: 0 });
    expect((await profile('quinn@example.com')).attributes).toEqual({ tier: 'silver' });
    expect((await profile('pat@example.com')).attributes).toEqual({ tier: 'B' });
    expect((await profile('solo@example.com')).attributes).toEqual({ tier: 'bronze' });
    expect(await members(id)).toBe(3);
  });

  it('refuse a bad header naming the column, and write nothing', async () => {
    const id = await audience('bad header');
    for (let i = 0; i < 19; i++) await api.post('/namespaces', { code: `ns${i}` });
    for (const [header, message] of [
      ['email,shoe size', "header column 2 'shoe size' must be an identity namespace"],
      ['email,loyalty', "namespace 'loyalty' is not registered"],
      ['attributes.name', 'at least one identity namespace'],
      ['email,email', 'appears twice'],
      ['email,attributes.constructor', "'constructor' is not allowed"],
      [
        ['email', 'phone', ...Array.from({ length: 19 }, (_, i) => `ns${i}`)].join(','),
        'at most 20 identity namespaces',
      ],
    ] as const) {
      const answer = await api.post<{ fields: { path: string; message: string }[] }>(
        `/audiences/${id}/imports`,
        {
          format: 'csv',
          lines: `${header}\nann@example.com,x\n`,
        },
      );
      expect(answer.status, header).toBe(400);
      expect(answer.body.fields[0]?.path).toBe('body.lines');
      expect(answer.body.fields[0]?.message).toContain(message);
    }
    const unterminated = await api.post<{ fields: { message: string }[] }>(`/audiences/${id}/imports`, {
      format: 'csv',
      lines: 'email\n"ann@example.com\n',
    });
    expect(unterminated.status).toBe(400);
    expect(unterminated.body.fields[0]?.message).toBe('CSV record 2: a quoted field is never closed');
    expect(await members(id)).toBe(0);
    // A registered namespace is a column like the standard ones.
    await api.post('/namespaces', { code: 'loyalty' });
    const ok = await api.post<Progress>(`/audiences/${id}/imports`, {
      format: 'csv',
      lines: 'loyalty,email\nL-1,gus@example.com\n',
    });
    expect(ok.body).toMatchObject({ imported: 1, rejected: 0 });
  });

  it('take 5,000 lines in chunks of 1,000 with the bad ones listed', async () => {
    const id = await audience('big');
    const bad = new Set([17, 1_234, 2_999, 4_001]);
    const rows = Array.from({ length: 5_000 }, (_, i) =>
      bad.has(i + 2) ? `broken-${i},${i},y` : `m${i}@example.com,${i},${i % 2 ? 'y' : 'n'}`,
    );
    let importId: string | undefined;
    let last: Progress | undefined;
    for (let start = 0; start < rows.length; start += 1_000) {
      const lines = rows.slice(start, start + 1_000);
      const answer = await api.post<Progress>(`/audiences/${id}/imports`, {
        ...(importId ? { importId } : { format: 'csv' }),
        lines: (importId ? lines : ['email,attributes.n,consent.marketing.email', ...lines]).join('\n'),
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      importId = answer.body.importId;
      last = answer.body;
    }
    expect(last).toMatchObject({ chunks: 5, lines: 5_001, imported: 4_996, created: 4_996, rejected: 4 });
    expect(last?.rejections.map((r) => r.line)).toEqual([...bad].sort((a, b) => a - b));
    expect(await members(id)).toBe(4_996);
    expect(await profile('m4999@example.com')).toMatchObject({
      attributes: { n: '4999' },
      consent: { marketing: { email: 'y' } },
    });
    // 5,000 profiles created through the embedded engine: slow on a shared machine, not timed.
  }, 180_000);
});

describe('NDJSON imports', () => {
  it('take whole-profile lines beside identity lines', async () => {
    const id = await audience('ndjson profiles');
    const answer = await api.post<Progress>(`/audiences/${id}/imports`, {
      lines: [
        JSON.stringify({ namespace: 'email', id: 'hal@example.com' }),
        JSON.stringify({
          identities: [{ namespace: 'email', id: 'ida@example.com' }],
          attributes: { plan: 'pro' },
          consent: { marketing: { email: 'y' } },
        }),
        JSON.stringify({ identities: [], attributes: {} }),
        JSON.stringify({
          identities: [{ namespace: 'email', id: 'jo@example.com' }],
          consent: { marketing: { fax: 'y' } },
        }),
      ].join('\n'),
    });
    expect(answer.body).toMatchObject({ format: 'ndjson', imported: 2, created: 2, rejected: 2 });
    expect(answer.body.rejections.map((r) => r.line)).toEqual([3, 4]);
    expect(answer.body.rejections[0]?.reason).toContain('identities');
    expect(await profile('ida@example.com')).toMatchObject({
      attributes: { plan: 'pro' },
      consent: { marketing: { email: 'y' } },
    });
    expect(await members(id)).toBe(2);
  });
});
