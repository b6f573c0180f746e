import { generateKeyPairSync } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/store/dynamodb-client.ts';
import { keys } from '../../shared/store/keys.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * Channel configurations through the real HTTP routes on the embedded engines: the provider
 * shapes, one default per channel, the write-only SMTP password (sealed in the table, never
 * answered), the SSRF policy on SMTP hosts, and sandbox isolation.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let a: { sandbox: string; api: Client };
let b: { sandbox: string; api: Client };
let documents: ReturnType<typeof createDocumentClient>;

const smtp = {
  type: 'smtp',
  host: '127.0.0.1',
  port: 2525,
  secure: false,
  username: 'mailer',
  password: 'hunter2-not-in-the-table',
  fromAddress: 'news@example.com',
  fromName: 'Example 🎉 News',
};

beforeAll(async () => {
  herald = await startTestHerald();
  a = await sandboxWithKey(herald, ['channels:admin']);
  b = await sandboxWithKey(herald, ['admin']);
  documents = createDocumentClient({
    endpoint: herald.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  documents?.destroy();
  await herald?.stop();
});

describe('channel configurations', () => {
  it('creates an SMTP configuration whose password is sealed in the table and never answered', async () => {
    const created = await a.api.post<Record<string, unknown>>('/channel-configurations', {
      name: 'relay',
      channel: 'email',
      provider: smtp,
      rateLimitPerSec: 50,
    });
    expect(created.status).toBe(201);
    const { password: _password, ...shown } = smtp;
    expect(created.body).toMatchObject({
      name: 'relay',
      channel: 'email',
      provider: { ...shown, passwordSet: true },
      rateLimitPerSec: 50,
      default: false,
    });
    expect(JSON.stringify(created.body)).not.toContain(smtp.password);
    const id = created.body.id as string;

    const read = await a.api.get(`/channel-configurations/${id}`);
    expect(read.body).toEqual({ ...created.body, health: { recentFailures: 0, windowMinutes: 30 } });
    expect(JSON.stringify((await a.api.get('/channel-configurations')).body)).not.toContain(smtp.password);

    const { Item } = await documents.send(
      new GetCommand({ TableName: 'herald', Key: keys.channelConfiguration(a.sandbox, id) }),
    );
    expect(JSON.stringify(Item)).not.toContain(smtp.password);
    expect(Item?.provider.password.sealed).toMatch(/^aes1\./);

    // A patch without the password keeps it; null removes it.
    const renamed = await a.api.patch(`/channel-configurations/${id}`, {
      provider: { ...shown, port: 2526 },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ provider: { port: 2526, passwordSet: true } });
    const cleared = await a.api.patch(`/channel-configurations/${id}`, {
      provider: { ...shown, password: null },
      rateLimitPerSec: null,
    });
    expect(cleared.body).toMatchObject({ provider: { passwordSet: false } });
    expect(cleared.body).not.toHaveProperty('rateLimitPerSec');
  });

  it('keeps a DKIM private key write-only and sealed; a patch keeps, replaces or removes it', async () => {
    const { privateKey: pem } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKey = pem.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { password: _password, ...shown } = smtp;
    const dkim = { domainName: 'example.com', keySelector: 'herald' };
    const created = await a.api.post<Record<string, unknown>>('/channel-configurations', {
      name: 'signed relay',
      channel: 'email',
      provider: { ...smtp, dkim: { ...dkim, privateKey } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ provider: { dkim } });
    expect(created.body.provider).toHaveProperty('dkim', dkim);
    const id = created.body.id as string;
    const secretLine = privateKey.split('\n')[1] as string;
    expect(JSON.stringify((await a.api.get(`/channel-configurations/${id}`)).body)).not.toContain(secretLine);
    const stored = async () =>
      (
        await documents.send(
          new GetCommand({ TableName: 'herald', Key: keys.channelConfiguration(a.sandbox, id) }),
        )
      ).Item;
    const item = await stored();
    expect(JSON.stringify(item)).not.toContain(secretLine);
    expect(item?.provider.dkim.privateKey.sealed).toMatch(/^aes1\./);

    // Without dkim the signing is kept; without privateKey the key is kept under a new selector.
    await a.api.patch(`/channel-configurations/${id}`, { provider: { ...shown, port: 2527 } });
    expect((await stored())?.provider.dkim.privateKey).toEqual(item?.provider.dkim.privateKey);
    const reselected = await a.api.patch(`/channel-configurations/${id}`, {
      provider: { ...shown, dkim: { ...dkim, keySelector: 'herald2' } },
    });
    expect(reselected.body).toMatchObject({ provider: { dkim: { keySelector: 'herald2' } } });
    expect((await stored())?.provider.dkim.privateKey).toEqual(item?.provider.dkim.privateKey);
    const unsigned = await a.api.patch<{ provider: Record<string, unknown> }>(
      `/channel-configurations/${id}`,
      {
        provider: { ...shown, dkim: null },
      },
    );
    expect(unsigned.body.provider).not.toHaveProperty('dkim');
    expect((await stored())?.provider).not.toHaveProperty('dkim');

    // A key-less DKIM with nothing stored, and a key that is not a private key, are refused.
    const keyless = await a.api.patch(`/channel-configurations/${id}`, {
      provider: { ...shown, dkim },
    });
    expect(keyless.status).toBe(400);
    expect(keyless.body).toMatchObject({ fields: [{ path: 'body.provider.dkim.privateKey' }] });
    const notAKey = await a.api.post('/channel-configurations', {
      name: 'bad key',
      channel: 'email',
      provider: {
        ...smtp,
        dkim: { ...dkim, privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' },
      },
    });
    expect(notAKey.status).toBe(400);
    expect(notAKey.body).toMatchObject({ fields: [{ path: 'body.provider.dkim.privateKey' }] });
  });

  it('keeps one default per channel: a second default is 409 default-taken naming body.default', async () => {
    const first = await a.api.post<{ id: string }>('/channel-configurations', {
      name: 'ses',
      channel: 'email',
      provider: { type: 'ses', fromAddress: 'hello@example.com' },
      default: true,
    });
    expect(first.status).toBe(201);
    const before = (await a.api.get<{ items: unknown[] }>('/channel-configurations')).body.items.length;
    const second = await a.api.post('/channel-configurations', {
      name: 'also default',
      channel: 'email',
      provider: { type: 'sandbox' },
      default: true,
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      type: 'urn:herald:problem:default-taken',
      fields: [{ path: 'body.default' }],
    });
    expect((await a.api.get<{ items: unknown[] }>('/channel-configurations')).body.items).toHaveLength(
      before,
    );

    // A default on another channel is fine; moving the email default goes through "not default".
    const sms = await a.api.post('/channel-configurations', {
      name: 'sms sandbox',
      channel: 'sms',
      provider: { type: 'sandbox' },
      default: true,
    });
    expect(sms.status).toBe(201);
    const other = await a.api.post<{ id: string }>('/channel-configurations', {
      name: 'next',
      channel: 'email',
      provider: { type: 'sandbox' },
    });
    expect((await a.api.patch(`/channel-configurations/${other.body.id}`, { default: true })).status).toBe(
      409,
    );
    expect((await a.api.patch(`/channel-configurations/${first.body.id}`, { default: false })).status).toBe(
      200,
    );
    expect((await a.api.patch(`/channel-configurations/${other.body.id}`, { default: true })).status).toBe(
      200,
    );
    // Deleting the default frees the channel.
    expect((await a.api.delete(`/channel-configurations/${other.body.id}`)).status).toBe(204);
    expect((await a.api.patch(`/channel-configurations/${first.body.id}`, { default: true })).status).toBe(
      200,
    );
  });

  it.each([
    ['an unknown provider type', { provider: { type: 'pigeon' } }, 'body.provider.type'],
    ['a missing fromAddress', { provider: { type: 'ses' } }, 'body.provider.fromAddress'],
    [
      'a fromAddress that is not an email',
      { provider: { type: 'ses', fromAddress: 'nope' } },
      'body.provider.fromAddress',
    ],
    ['a port outside 1–65535', { provider: { ...smtp, port: 70000 } }, 'body.provider.port'],
    ['port 0', { provider: { ...smtp, port: 0 } }, 'body.provider.port'],
    [
      'a header-breaking fromName',
      { provider: { ...smtp, fromName: 'a\r\nBcc: x@y.z' } },
      'body.provider.fromName',
    ],
    [
      'SES on the sms channel',
      { channel: 'sms', provider: { type: 'ses', fromAddress: 'a@example.com' } },
      'body.provider.type',
    ],
    [
      'a metadata-address SMTP host',
      { provider: { ...smtp, host: '169.254.169.254' } },
      'body.provider.host',
    ],
    ['a private SMTP host', { provider: { ...smtp, host: '10.1.2.3' } }, 'body.provider.host'],
    ['an unknown field', { colour: 'red' }, 'body.colour'],
  ])('refuses %s with 400 naming %s, writing nothing', async (_what, change, path) => {
    const before = (await a.api.get<{ items: unknown[] }>('/channel-configurations')).body.items.length;
    const answer = await a.api.post<{ fields: { path: string }[] }>('/channel-configurations', {
      name: 'bad',
      channel: 'email',
      provider: { type: 'sandbox' },
      ...change,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.fields.map((e) => e.path)).toContain(path);
    expect((await a.api.get<{ items: unknown[] }>('/channel-configurations')).body.items).toHaveLength(
      before,
    );
  });

  it("keeps each sandbox's configurations to itself", async () => {
    const mine = await a.api.post<{ id: string }>('/channel-configurations', {
      name: 'mine',
      channel: 'push',
      provider: { type: 'sandbox' },
    });
    expect((await b.api.get(`/channel-configurations/${mine.body.id}`)).status).toBe(404);
    expect((await b.api.patch(`/channel-configurations/${mine.body.id}`, { name: 'x' })).status).toBe(404);
    expect((await b.api.delete(`/channel-configurations/${mine.body.id}`)).status).toBe(404);
    expect((await b.api.get<{ items: unknown[] }>('/channel-configurations')).body.items).toEqual([]);
    expect((await a.api.get(`/channel-configurations/${mine.body.id}`)).status).toBe(200);
  });

  it('lets a campaign name a configuration of its sandbox and channel, and refuses any other', async () => {
    const admin = await sandboxWithKey(herald, ['admin']);
    const configuration = await admin.api.post<{ id: string }>('/channel-configurations', {
      name: 'relay',
      channel: 'email',
      provider: { type: 'sandbox' },
    });
    const named = await admin.api.post('/campaigns', {
      ...emailCampaign,
      channelConfigurationId: configuration.body.id,
    });
    expect(named.status).toBe(201);
    expect(named.body).toMatchObject({ channelConfigurationId: configuration.body.id });
    const other = await b.api.post<{ fields: { path: string }[] }>('/campaigns', {
      ...emailCampaign,
      channelConfigurationId: configuration.body.id,
    });
    expect(other.status).toBe(400);
    expect(other.body.fields.map((f) => f.path)).toEqual(['body.channelConfigurationId']);
  });

  it('refuses to delete a configuration campaigns still name, live or in a pending draft', async () => {
    const admin = await sandboxWithKey(herald, ['admin']);
    const create = async (name: string) =>
      (
        await admin.api.post<{ id: string }>('/channel-configurations', {
          name,
          channel: 'email',
          provider: { type: 'sandbox' },
        })
      ).body.id;
    const [used, spare] = [await create('used'), await create('spare')];
    const live = await admin.api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      channelConfigurationId: used,
    });
    await admin.api.post(`/campaigns/${live.body.id}/activate`);
    const refused = await admin.api.delete(`/channel-configurations/${used}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: 'urn:herald:problem:configuration-in-use',
      campaignIds: [live.body.id],
    });
    expect((await admin.api.get(`/channel-configurations/${used}`)).status).toBe(200);
    // The live campaign's draft moves to the spare one: the live version still names `used`.
    await admin.api.patch(`/campaigns/${live.body.id}`, { channelConfigurationId: spare });
    expect((await admin.api.delete(`/channel-configurations/${spare}`)).status).toBe(409);
    expect((await admin.api.delete(`/channel-configurations/${used}`)).status).toBe(409);
    // Activated, the campaign names only `spare`; stopped and archived, it names nothing.
    await admin.api.post(`/campaigns/${live.body.id}/activate`);
    expect((await admin.api.delete(`/channel-configurations/${used}`)).status).toBe(204);
    await admin.api.post(`/campaigns/${live.body.id}/stop`);
    await admin.api.post(`/campaigns/${live.body.id}/archive`);
    expect((await admin.api.delete(`/channel-configurations/${spare}`)).status).toBe(204);
  });

  it('needs channels:admin (or admin)', async () => {
    const reader = await sandboxWithKey(herald, ['campaigns:read']);
    expect((await reader.api.get('/channel-configurations')).status).toBe(403);
  });
});
