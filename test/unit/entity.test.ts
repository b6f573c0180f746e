import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { CampaignRecord } from '../../shared/domain/campaign.ts';
import { AlreadyExistsError, ConcurrentUpdateError } from '../../shared/domain/errors.ts';
import type { WebhookConfig } from '../../shared/domain/webhook.ts';
import { DynamoDbCampaignStore } from '../../shared/store/dynamodb-campaign-store.ts';
import { DynamoDbWebhookStore } from '../../shared/store/dynamodb-webhook-store.ts';
import { MalformedItemError } from '../../shared/store/entity.ts';
import { audienceExecutionItem, campaignItem, claimItem, profileItem } from '../../shared/store/items.ts';
import { claimDuePartition } from '../../shared/store/keys.ts';

const campaign: CampaignRecord = {
  id: 'c1',
  sandbox: 'prod',
  name: 'Welcome',
  category: 'transactional',
  channel: 'email',
  identityNamespace: 'email',
  createNewProfiles: false,
  enableWebhooks: false,
  highThroughput: false,
  content: { subject: 'Hi', text: 'Hello' },
  schedule: { startDate: '2030-01-01T00:00:00.000Z' },
  status: 'scheduled',
  version: 1,
  revision: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'k1',
  modifiedAt: '2026-01-01T00:00:00.000Z',
  modifiedBy: 'k1',
};

const webhook: WebhookConfig = {
  sandbox: 'prod',
  id: 'w1',
  name: 'hook',
  url: 'https://example.com/hook',
  channels: ['email'],
  enabled: true,
  auth: { type: 'none' },
  headers: {},
  secrets: [{ secret: 'whsec_x', createdAt: '2026-01-01T00:00:00.000Z' }],
  createdAt: '2026-01-01T00:00:00.000Z',
  modifiedAt: '2026-01-01T00:00:00.000Z',
  revision: 1,
};

/**
 * A real document client whose every call is answered by `answer` before it leaves the process,
 * so the stores' own commands, conditions and error mapping run; `sent` keeps each input.
 */
function scriptedClient(answer: (command: string, input: Record<string, unknown>) => unknown) {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = { ...args.input };
      sent.push({ command: String(context.commandName), input });
      return {
        output: { $metadata: {}, ...(answer(String(context.commandName), input) ?? {}) },
        response: {},
      };
    },
    { step: 'initialize', name: 'scripted' },
  );
  return { client, sent };
}

const conditionFailed = () => {
  throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
};

describe('an entity', () => {
  it('writes the key, the type and the derived index attributes, and reads back only the record', () => {
    const item = campaignItem.item(campaign);
    expect(item).toMatchObject({
      pk: 'SB#prod',
      sk: 'CAMPAIGN#c1',
      type: 'campaign',
      duePk: 'DUE',
      dueSk: '2030-01-01T00:00:00.000Z#prod#c1',
    });
    expect(campaignItem.parse({ ...item, expiresAt: 1 })).toEqual(campaign);
  });

  it('refuses a malformed item with an error naming its kind and key, never a wrong object', () => {
    const item = { ...campaignItem.item(campaign), status: 'paused', revision: '3' };
    let caught: unknown;
    try {
      campaignItem.parse(item);
    } catch (error) {
      caught = error;
    }
    if (!(caught instanceof MalformedItemError)) throw new Error(`not refused: ${String(caught)}`);
    const error = caught;
    expect(error.kind).toBe('campaign');
    expect(error.key).toEqual({ pk: 'SB#prod', sk: 'CAMPAIGN#c1' });
    expect(error.message).toMatch(/^Malformed campaign item \(pk SB#prod, sk CAMPAIGN#c1\)/);
    expect(error.issues.map((issue) => issue.path)).toEqual(['status', 'revision']);
    // Paths and zod's messages only: the stored values (possibly personal data) stay out of logs.
    expect(error.message).not.toContain('paused');
  });

  it('names a missing field, and a wrong nested one by its path', () => {
    const { identities: _identities, ...withoutIdentities } = profileItem.item({
      sandbox: 'prod',
      profileId: 'p1',
      identities: [{ namespace: 'email', id: 'a@example.com' }],
      attributes: {},
      consent: {},
      dataset: 'profiles',
      revision: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      modifiedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(() => profileItem.parse(withoutIdentities)).toThrow(
      /Malformed profile item \(pk SB#prod#PROFILE#p1, sk PROFILE\).*identities: /,
    );
    expect(() => profileItem.parse({ ...withoutIdentities, identities: [{ namespace: 'email' }] })).toThrow(
      /identities\.0\.id: /,
    );
  });

  it('keeps a profile attribute named __proto__ as data', () => {
    const attributes = JSON.parse('{"__proto__": {"polluted": true}, "tier": "gold"}') as Record<
      string,
      unknown
    >;
    const item = {
      ...profileItem.item({
        sandbox: 'prod',
        profileId: 'p1',
        identities: [],
        attributes: {},
        consent: {},
        dataset: 'profiles',
        revision: 1,
        createdAt: '2026-01-01T00:00:00.000Z',
        modifiedAt: '2026-01-01T00:00:00.000Z',
      }),
      attributes,
    };
    const parsed = profileItem.parse(item);
    expect(Object.keys(parsed.attributes)).toEqual(['__proto__', 'tier']);
    expect(Object.getPrototypeOf(parsed.attributes)).toBe(Object.prototype);
  });

  it('stores what the record holds in another form: a claim outbox as JSON, a run without its shard set', () => {
    const claim = {
      sandbox: 'prod',
      key: 'k',
      bodyHash: 'h',
      state: 'pending' as const,
      lockedUntil: Date.parse('2026-01-01T00:00:30.000Z'),
      executionId: 'e1',
      response: { executionId: 'e1' },
      expiresAt: 100,
      jobs: { fanout: [{ kind: 'fanout' as const, sandbox: 'prod', executionId: 'e1', shard: 0 }] },
    };
    const item = claimItem.item(claim);
    expect(typeof item.jobs).toBe('string');
    expect(item).toMatchObject({
      duePk: claimDuePartition('prod', 'k'),
      dueSk: '2026-01-01T00:00:30.000Z#prod#k',
    });
    expect(claimDuePartition('prod', 'k')).toMatch(/^DUE#CLAIM#([0-9]|[1-5][0-9]|6[0-3])$/);
    expect(claimItem.parse(item)).toEqual(claim);
    expect(() => claimItem.parse({ ...item, jobs: '{not json' })).toThrow(
      /Malformed idempotency item \(pk SB#prod#IDEM#k, sk IDEM\).*jobs: is not JSON/,
    );

    const run = audienceExecutionItem.item({
      sandbox: 'prod',
      executionId: 'e1',
      campaignId: 'c1',
      campaignVersion: 1,
      audienceId: 'a1',
      channel: 'email',
      identityNamespace: 'email',
      content: { subject: 'Hi', text: 'Hello' },
      enableWebhooks: false,
      throttleRatePerSec: 10,
      status: 'InProgress',
      shardsDone: [],
      windowEndsAt: '2026-01-01T12:00:00.000Z',
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: 'k1',
    });
    expect(run).not.toHaveProperty('shardsDone');
    expect(audienceExecutionItem.parse(run).shardsDone).toEqual([]);
    expect(audienceExecutionItem.parse({ ...run, shardsDone: new Set([3, 1]) }).shardsDone).toEqual([3, 1]);
  });
});

describe('the record operations every store shares', () => {
  it('create writes only when the key is free, and a taken key is AlreadyExistsError', async () => {
    const { client, sent } = scriptedClient(conditionFailed);
    const store = new DynamoDbCampaignStore(client, 'herald');
    await expect(store.create(campaign)).rejects.toThrow(AlreadyExistsError);
    await expect(store.create(campaign)).rejects.toThrow("Campaign 'c1' already exists.");
    expect(sent[0]).toMatchObject({
      command: 'PutItemCommand',
      input: { TableName: 'herald', ConditionExpression: 'attribute_not_exists(pk)' },
    });
  });

  it('save writes only over the previous revision, and a lost race is ConcurrentUpdateError', async () => {
    const { client, sent } = scriptedClient(conditionFailed);
    const store = new DynamoDbWebhookStore(client, 'herald');
    await expect(store.save({ ...webhook, revision: 5 })).rejects.toThrow(ConcurrentUpdateError);
    expect(sent[0]?.input).toMatchObject({
      ConditionExpression: '#revision = :previous',
      ExpressionAttributeNames: { '#revision': 'revision' },
      ExpressionAttributeValues: { ':previous': 4 },
    });
  });

  it('other failures pass through unchanged', async () => {
    const { client } = scriptedClient(() => {
      throw new Error('throttled');
    });
    await expect(new DynamoDbWebhookStore(client, 'herald').save(webhook)).rejects.toThrow('throttled');
  });

  it('get parses the item it reads, and refuses a malformed one', async () => {
    let stored: Record<string, unknown> = campaignItem.item(campaign);
    const { client } = scriptedClient(() => ({ Item: stored }));
    const store = new DynamoDbCampaignStore(client, 'herald');
    await expect(store.get('prod', 'c1')).resolves.toEqual(campaign);
    stored = { ...stored, content: 'Hello' };
    await expect(store.get('prod', 'c1')).rejects.toThrow(
      /^Malformed campaign item \(pk SB#prod, sk CAMPAIGN#c1\) in the table: content: /,
    );
  });

  it('a page parses every item and hands back the cursor of the next one', async () => {
    const { client } = scriptedClient(() => ({
      Items: [campaignItem.item(campaign)],
      LastEvaluatedKey: { pk: 'SB#prod', sk: 'CAMPAIGN#c1' },
    }));
    const page = await new DynamoDbCampaignStore(client, 'herald').list('prod', { limit: 1 });
    expect(page.items).toEqual([campaign]);
    expect(page.nextCursor).toEqual(expect.any(String));
  });
});
