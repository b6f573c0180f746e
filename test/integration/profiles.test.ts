import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';

type Profile = {
  profileId: string;
  identities: { namespace: string; id: string }[];
  attributes: Record<string, unknown>;
  consent: Record<string, unknown>;
  created?: boolean;
};

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['profiles:read', 'profiles:write', 'admin']));
});
afterAll(async () => {
  await herald?.stop();
});

const unique = () => Math.random().toString(36).slice(2, 10);

describe('profiles', () => {
  it('are created by identities, normalised, and found by any of them', async () => {
    const name = unique();
    const created = await api.put<Profile>('/profiles', {
      identities: [
        { namespace: 'email', id: `  ${name.toUpperCase()}@Example.COM ` },
        { namespace: 'phone', id: '+1 (415) 555-0199' },
      ],
      attributes: { firstName: 'Ann', address: { city: 'Paris', zip: '75001' } },
      consent: { marketing: { email: 'y' } },
    });
    expect(created.status).toBe(200);
    expect(created.body.created).toBe(true);
    expect(created.body.identities).toEqual([
      { namespace: 'email', id: `${name}@example.com` },
      { namespace: 'phone', id: '+14155550199' },
    ]);
    const byEmail = await api.get<Profile>(
      `/profiles/email/${encodeURIComponent(`${name.toUpperCase()}@example.com`)}`,
    );
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.profileId).toBe(created.body.profileId);
    const byPhone = await api.get<Profile>(`/profiles/phone/${encodeURIComponent('+14155550199')}`);
    expect(byPhone.body.profileId).toBe(created.body.profileId);
  });

  it('deep-merge attributes and consent, and add new identities to the same profile', async () => {
    const email = `${unique()}@example.com`;
    const first = await api.put<Profile>('/profiles', {
      identities: [{ namespace: 'email', id: email }],
      attributes: { firstName: 'Bo', address: { city: 'Oslo', zip: '0150' }, tags: ['a', 'b'] },
      consent: { marketing: { email: 'y', sms: 'n' } },
    });
    const second = await api.put<Profile>('/profiles', {
      identities: [
        { namespace: 'email', id: email },
        { namespace: 'ecid', id: '12345678901234567890123456789012345678' },
      ],
      attributes: { address: { city: 'Bergen' }, tags: ['c'], firstName: null, lastName: 'Ek' },
      consent: { marketing: { sms: 'y' } },
    });
    expect(second.body.created).toBe(false);
    expect(second.body.profileId).toBe(first.body.profileId);
    expect(second.body.attributes).toEqual({
      address: { city: 'Bergen', zip: '0150' },
      tags: ['c'],
      lastName: 'Ek',
    });
    expect(second.body.consent).toEqual({ marketing: { email: 'y', sms: 'y' } });
    expect(second.body.identities).toHaveLength(2);
    const byEcid = await api.get<Profile>('/profiles/ecid/12345678901234567890123456789012345678');
    expect(byEcid.body.profileId).toBe(first.body.profileId);
  });

  it('refuse identities of two different profiles with 409 and never merge them', async () => {
    const a = await api.put<Profile>('/profiles', {
      identities: [{ namespace: 'email', id: `${unique()}@a.com` }],
    });
    const b = await api.put<Profile>('/profiles', {
      identities: [{ namespace: 'email', id: `${unique()}@b.com` }],
    });
    const conflict = await api.put('/profiles', {
      identities: [...a.body.identities, ...b.body.identities],
      attributes: { merged: true },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.type).toBe('urn:herald:problem:identity-conflict');
    expect(conflict.body.profileIds).toEqual(expect.arrayContaining([a.body.profileId, b.body.profileId]));
    const aAfter = await api.get<Profile>(`/profiles/email/${a.body.identities[0]?.id}`);
    expect(aAfter.body.attributes).toEqual({});
    expect(aAfter.body.identities).toEqual(a.body.identities);
  });

  it('concurrent upserts of one new person create exactly one profile', async () => {
    const email = `${unique()}@race.com`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api.put<Profile>('/profiles', {
          identities: [{ namespace: 'email', id: email }],
          attributes: { [`k${i}`]: i },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.profileId)).size).toBe(1);
    expect(answers.filter((a) => a.body.created)).toHaveLength(1);
    const stored = await api.get<Profile>(`/profiles/email/${email}`);
    expect(Object.keys(stored.body.attributes).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });

  it('are deleted with all their identities', async () => {
    const email = `${unique()}@gone.com`;
    await api.put('/profiles', {
      identities: [
        { namespace: 'email', id: email },
        { namespace: 'phone', id: '+447700900123' },
      ],
    });
    expect((await api.delete(`/profiles/email/${email}`)).status).toBe(204);
    expect((await api.get(`/profiles/email/${email}`)).status).toBe(404);
    expect((await api.get('/profiles/phone/+447700900123')).status).toBe(404);
    expect((await api.delete(`/profiles/email/${email}`)).status).toBe(404);
    // The freed identities can start a new profile.
    const again = await api.put<Profile>('/profiles', {
      identities: [{ namespace: 'phone', id: '+447700900123' }],
    });
    expect(again.body.created).toBe(true);
  });

  it('validate identities per namespace and refuse unregistered custom namespaces', async () => {
    const bad = await api.put('/profiles', {
      identities: [
        { namespace: 'email', id: 'not-an-email' },
        { namespace: 'phone', id: '12' },
        { namespace: 'loyaltyId', id: 'L-1' },
      ],
    });
    expect(bad.status).toBe(400);
    expect((bad.body.fields as { path: string }[]).map((f) => f.path)).toEqual([
      'identities[0].id',
      'identities[1].id',
      'identities[2].namespace',
    ]);
    expect((await api.post('/namespaces', { code: 'loyaltyId' })).status).toBe(201);
    const ok = await api.put<Profile>('/profiles', { identities: [{ namespace: 'loyaltyId', id: ' L-1 ' }] });
    expect(ok.status).toBe(200);
    expect(ok.body.identities).toEqual([{ namespace: 'loyaltyId', id: 'L-1' }]);
  });
});
