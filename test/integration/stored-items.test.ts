import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbEngine } from '../../infra/local/dynamodb-engine.ts';
import { ensureTable } from '../../infra/local/provision.ts';
import { tableDefinition } from '../../shared/definitions/table.ts';
import type { CampaignRecord } from '../../shared/domain/campaign.ts';
import type { MessageRecord } from '../../shared/domain/execution.ts';
import type { ProfileRecord } from '../../shared/domain/profile.ts';
import { DynamoDbCampaignStore } from '../../shared/store/dynamodb-campaign-store.ts';
import { createDocumentClient } from '../../shared/store/dynamodb-client.ts';
import { DynamoDbDispatchReader } from '../../shared/store/dynamodb-dispatch-reader.ts';
import { DynamoDbProfileStore } from '../../shared/store/dynamodb-profile-store.ts';
import { DynamoDbWebhookStore } from '../../shared/store/dynamodb-webhook-store.ts';
import { MalformedItemError } from '../../shared/store/entity.ts';
import { keys } from '../../shared/store/keys.ts';

/**
 * Items written straight into the real embedded DynamoDB (dynalite) with the SDK, as a bug or a
 * manual edit would leave them: the stores refuse them with an error naming the kind and the key,
 * and read well-formed neighbours as before.
 */
const TABLE = 'herald-stored-items';
let engine: Awaited<ReturnType<typeof startDynamoDbEngine>>;
let raw: DynamoDBClient;
let documents: ReturnType<typeof createDocumentClient>;

const options = () => ({
  endpoint: engine.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

beforeAll(async () => {
  engine = await startDynamoDbEngine({});
  raw = new DynamoDBClient(options());
  await ensureTable(raw, tableDefinition, TABLE);
  documents = createDocumentClient(options());
});
afterAll(async () => {
  documents?.destroy();
  raw?.destroy();
  await engine?.stop();
});

const put = (item: Record<string, unknown>) =>
  documents.send(new PutCommand({ TableName: TABLE, Item: item }));

async function refusal(read: Promise<unknown>): Promise<MalformedItemError> {
  const outcome = await read.then(
    (value) => new Error(`read as ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  if (outcome instanceof MalformedItemError) return outcome;
  throw outcome;
}

describe('stores reading items they did not write', () => {
  it('refuse a campaign item of the wrong shape, naming its kind and key', async () => {
    const sandbox = `sb-${randomUUID().slice(0, 8)}`;
    const store = new DynamoDbCampaignStore(documents, TABLE);
    const good: CampaignRecord = {
      id: randomUUID(),
      sandbox,
      name: 'Welcome',
      category: 'transactional',
      channel: 'email',
      identityNamespace: 'email',
      createNewProfiles: false,
      enableWebhooks: false,
      highThroughput: false,
      content: { subject: 'Hi', text: 'Hello' },
      status: 'draft',
      version: 0,
      revision: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: 'k1',
      modifiedAt: '2026-01-01T00:00:00.000Z',
      modifiedBy: 'k1',
    };
    await store.create(good);
    await expect(store.get(sandbox, good.id)).resolves.toEqual(good);

    const badId = randomUUID();
    const { revision: _revision, ...withoutRevision } = good;
    // A revision stored as a string and the status of another product: a cast would have let both through.
    await put({
      ...keys.campaign(sandbox, badId),
      type: 'campaign',
      ...withoutRevision,
      id: badId,
      status: 'paused',
      version: '1',
    });
    const error = await refusal(store.get(sandbox, badId));
    expect(error.kind).toBe('campaign');
    expect(error.key).toEqual(keys.campaign(sandbox, badId));
    expect(error.message).toContain(`Malformed campaign item (pk SB#${sandbox}, sk CAMPAIGN#${badId})`);
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['revision', 'status', 'version']);
    // A listing holding it fails the same way, rather than returning a page with a wrong object in it.
    await expect(store.list(sandbox, { limit: 10 })).rejects.toThrow(MalformedItemError);
  });

  it('refuse a malformed profile or message in a batched read (the dispatch path)', async () => {
    const sandbox = `sb-${randomUUID().slice(0, 8)}`;
    const profile: ProfileRecord = {
      sandbox,
      profileId: 'p-good',
      identities: [{ namespace: 'email', id: 'good@example.com' }],
      attributes: { tier: 'gold' },
      consent: {},
      dataset: 'profiles',
      revision: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      modifiedAt: '2026-01-01T00:00:00.000Z',
    };
    const profiles = new DynamoDbProfileStore(documents, TABLE);
    await profiles.save(profile, profile.identities);
    expect((await profiles.getMany(sandbox, ['p-good'])).get('p-good')).toEqual(profile);
    expect(await profiles.findOwners(sandbox, profile.identities)).toEqual(
      new Map([['email:good@example.com', 'p-good']]),
    );

    await put({
      ...keys.profile(sandbox, 'p-bad'),
      type: 'profile',
      ...profile,
      profileId: 'p-bad',
      attributes: 'gold',
    });
    const error = await refusal(profiles.getMany(sandbox, ['p-good', 'p-bad']));
    expect(error.message).toMatch(/^Malformed profile item \(pk SB#sb-[0-9a-f]+#PROFILE#p-bad, sk PROFILE\)/);
    expect(error.issues).toEqual([{ path: 'attributes', message: 'must be a map' }]);

    const message: MessageRecord = {
      sandbox,
      executionId: 'e1',
      messageId: 'm1',
      userId: 'good@example.com',
      namespace: 'email',
      status: 'queued',
      history: [{ status: 'queued', at: '2026-01-01T00:00:00.000Z' }],
    };
    await put({ ...keys.message(sandbox, 'e1', 'm1'), type: 'message', ...message, history: 'queued' });
    const reader = new DynamoDbDispatchReader(documents, TABLE);
    const refused = await refusal(
      reader.read(sandbox, 'e1', {
        messages: [{ messageId: 'm1' }],
        profileIds: [],
        channel: 'email',
        addresses: [],
      }),
    );
    expect(refused.kind).toBe('message');
    expect(refused.key).toEqual(keys.message(sandbox, 'e1', 'm1'));
  });

  it('read an item written before a write rule tightened (policy is checked where it matters, not on read)', async () => {
    const sandbox = `sb-${randomUUID().slice(0, 8)}`;
    const id = randomUUID();
    await put({
      ...keys.webhook(sandbox, id),
      type: 'webhook',
      sandbox,
      id,
      name: 'old',
      url: 'https://example.com/hook',
      channels: ['email'],
      enabled: true,
      auth: { type: 'bearer', token: 'tøken→' },
      headers: { 'X Foo': 'price in €' },
      secrets: [{ secret: 'whsec_x', createdAt: '2026-01-01T00:00:00.000Z' }],
      createdAt: '2026-01-01T00:00:00.000Z',
      modifiedAt: '2026-01-01T00:00:00.000Z',
      revision: 1,
    });
    const webhooks = new DynamoDbWebhookStore(documents, TABLE);
    await expect(webhooks.get(sandbox, id)).resolves.toMatchObject({
      auth: { type: 'bearer', token: 'tøken→' },
      headers: { 'X Foo': 'price in €' },
    });
    await put({ ...keys.webhook(sandbox, randomUUID()), type: 'webhook', sandbox, name: 'no url' });
    const error = await refusal(webhooks.list(sandbox));
    expect(error.kind).toBe('webhook');
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['id', 'url', 'auth', 'secrets', 'revision']),
    );
  });
});
