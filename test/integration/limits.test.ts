import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ARRAY_MEMBERS, MAX_CONTEXT_BYTES, MAX_JSON_DEPTH } from '../../shared/schemas/limits.ts';
import { type Answer, type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * Issue 10's classes of input, one by one, on the embedded engines: good edge cases are delivered
 * intact; bad ones answer a 4xx problem naming the field and write nothing (the table's item count
 * is the same before and after).
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['admin']));
  dynamodb = new DynamoDBClient({ endpoint: herald.endpoints.dynamodb });
});
afterAll(async () => {
  dynamodb?.destroy();
  await herald?.stop();
});

async function itemCount(): Promise<number> {
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: herald.tableName, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return count;
}

/** Sends a refused request and checks the problem, its field and that nothing was written. */
async function refused(
  send: () => Promise<Answer>,
  expected: { status: number; type: string; field?: string | RegExp },
): Promise<Answer> {
  const before = await itemCount();
  const answer = await send();
  expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(expected.status);
  expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(answer.body.type).toBe(`urn:herald:problem:${expected.type}`);
  if (expected.field) {
    const paths = ((answer.body.fields ?? []) as { path: string }[]).map((f) => f.path);
    expect(
      paths.some((p) =>
        typeof expected.field === 'string' ? p === expected.field : expected.field?.test(p),
      ),
    ).toBe(true);
  }
  expect(await itemCount()).toBe(before);
  return answer;
}

async function live(overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await api.post<{ id: string }>('/campaigns', { ...emailCampaign, ...overrides });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const activated = await api.post(`/campaigns/${created.body.id}/activate`);
  expect(activated.status, JSON.stringify(activated.body)).toBe(200);
  return created.body.id;
}

async function finalStatuses(
  executionId: string,
): Promise<{ status: string; statusCode?: string; messageId: string }[]> {
  for (let i = 0; i < 150; i++) {
    const execution = await api.get<{
      recipients: { status: string; statusCode?: string; messageId: string }[];
    }>(`/executions/${executionId}`);
    const recipients = execution.body.recipients;
    if (recipients.every((r) => r.status !== 'queued' && r.status !== 'sent')) return recipients;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`execution ${executionId} left messages non-final`);
}

const recipient = (userId: string, extra: Record<string, unknown> = {}) => ({
  type: 'aep',
  userId,
  namespace: 'email',
  ...extra,
});
const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
};

describe('unicode', () => {
  it('delivers emoji and characters SQS refuses, rendered intact', async () => {
    const campaignId = await live({
      createNewProfiles: true,
      content: { subject: '🎉 Flash sale {{context.icon}}', text: '{{context.odd}} {{profile.name}}' },
    });
    const odd = '\ufffe\uffff\u0001 東京 𝄞';
    const accepted = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: 'emoji-🎉',
      campaignId,
      recipients: [
        recipient('emoji@example.com', { context: { icon: '🚀', odd }, profile: { name: 'Zoë 😀' } }),
      ],
    });
    expect(accepted.status).toBe(202);
    const [message] = await finalStatuses(accepted.body.executionId);
    expect(message?.status).toBe('delivered');
    const rendered = await api.get<{ subject: string; text: string }>(
      `/executions/${accepted.body.executionId}/messages/${message?.messageId}`,
    );
    expect(rendered.body.subject).toBe('🎉 Flash sale 🚀');
    expect(rendered.body.text).toBe(`${odd} Zoë 😀`);
  });

  it('refuses lone surrogates, naming the field', async () => {
    const campaignId = await live();
    await refused(
      () =>
        api.request(
          'POST',
          '/im/executions/unitary',
          `{"requestId":"lone","campaignId":"${campaignId}","recipients":[{"type":"aep","userId":"a@example.com","namespace":"email","context":{"x":"\\ud800"}}]}`,
        ),
      { status: 400, type: 'validation', field: 'body.recipients[0].context.x' },
    );
  });

  it('refuses control characters in names', async () => {
    await refused(() => api.post('/campaigns', { ...emailCampaign, name: 'Reset\u0000' }), {
      status: 400,
      type: 'validation',
      field: 'body.name',
    });
    await refused(() => api.post('/audiences', { name: 'a\nb' }), {
      status: 400,
      type: 'validation',
      field: 'body.name',
    });
  });
});

describe('numbers, depth and prototype keys', () => {
  it('refuses numbers DynamoDB cannot store or JavaScript cannot hold, by path', async () => {
    for (const literal of ['1e200', '1e-200', '1e309', '9007199254740993']) {
      await refused(
        () =>
          api.request(
            'PUT',
            '/profiles',
            `{"identities":[{"namespace":"email","id":"n@example.com"}],"attributes":{"score":${literal}}}`,
          ),
        { status: 400, type: 'validation', field: 'body.attributes.score' },
      );
    }
  });

  it(`refuses bodies nested deeper than ${MAX_JSON_DEPTH} levels before any work`, async () => {
    const campaignId = await live();
    await refused(
      () =>
        api.post('/im/executions/unitary', {
          requestId: 'deep',
          campaignId,
          recipients: [recipient('a@example.com', { context: nested(40) })],
        }),
      { status: 400, type: 'validation', field: /^body\.recipients\[0\]\.context(\.a)+$/ },
    );
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    await refused(
      () =>
        api.request(
          'PUT',
          '/profiles',
          `{"identities":[{"namespace":"email","id":"d@example.com"}],"attributes":${deep}}`,
        ),
      { status: 400, type: 'validation' },
    );
  });

  it('stores and reads back attributes as deep as a body may nest', async () => {
    // body (1) → attributes (2) → … : the deepest object a profile upsert may carry.
    const attributes = nested(MAX_JSON_DEPTH - 1);
    const identities = [{ namespace: 'email', id: 'deep-ok@example.com' }];
    const saved = await api.put('/profiles', { identities, attributes });
    expect(saved.status, JSON.stringify(saved.body).slice(0, 300)).toBeLessThan(300);
    const profile = await api.get<{ attributes: unknown }>('/profiles/email/deep-ok@example.com');
    expect(profile.body.attributes).toEqual(attributes);
  });

  it('refuses __proto__, constructor and prototype keys at any depth', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      await refused(
        () =>
          api.request(
            'PUT',
            '/profiles',
            `{"identities":[{"namespace":"email","id":"p@example.com"}],"attributes":{"x":{"${key}":{"admin":true}}}}`,
          ),
        { status: 400, type: 'validation', field: `body.attributes.x.${key}` },
      );
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses prototype keys in the query string as unknown fields', async () => {
    for (const key of ['__proto__', 'constructor']) {
      await refused(() => api.get(`/campaigns?${key}=x`), {
        status: 400,
        type: 'validation',
        field: `query.${key}`,
      });
    }
  });

  it('answers 10,000 bad elements with a small document that counts them, and refuses 100,000 unread', async () => {
    const campaignId = await live();
    const answer = await refused(
      () =>
        api.post('/im/executions/unitary', {
          requestId: 'many',
          campaignId,
          recipients: Array(MAX_ARRAY_MEMBERS).fill(7),
        }),
      { status: 400, type: 'validation', field: 'body.recipients[0]' },
    );
    expect(JSON.stringify(answer.body).length).toBeLessThan(64 * 1024);
    expect(answer.body.issueCount).toBeGreaterThanOrEqual(MAX_ARRAY_MEMBERS);
    // More members than a body may hold: one issue naming the array, before any schema runs.
    const tooMany = await refused(
      () =>
        api.post('/im/executions/unitary', {
          requestId: 'many',
          campaignId,
          recipients: Array(100_000).fill(7),
        }),
      { status: 400, type: 'validation', field: 'body.recipients' },
    );
    expect(tooMany.body.issueCount).toBe(1);
  });
});

describe('sizes, at every copy', () => {
  it('delivers 20 recipients whose context and overlays use the whole 200 KB budget', async () => {
    const campaignId = await live({
      createNewProfiles: true,
      content: { subject: 's {{context.n}}', text: 't' },
    });
    // Each recipient's context and profile together stay just under a twentieth of the budget.
    const share = Math.floor(MAX_CONTEXT_BYTES / 20) - 64;
    const recipients = Array.from({ length: 20 }, (_, i) =>
      recipient(`big${i}@example.com`, {
        context: { n: i, pad: 'c'.repeat(share / 2 - 20) },
        profile: { pad: 'p'.repeat(share / 2 - 20) },
      }),
    );
    const accepted = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: 'budget',
      campaignId,
      recipients,
    });
    expect(accepted.status, JSON.stringify(accepted.body).slice(0, 300)).toBe(202);
    const statuses = await finalStatuses(accepted.body.executionId);
    expect(statuses.map((s) => s.status)).toEqual(Array(20).fill('delivered'));
  });

  it('refuses context and overlays over the budget with 413', async () => {
    const campaignId = await live();
    await refused(
      () =>
        api.post('/im/executions/unitary', {
          requestId: 'over-budget',
          campaignId,
          recipients: [
            recipient('a@example.com', {
              context: { x: 'x'.repeat(150_000) },
              profile: { y: 'y'.repeat(60_000) },
            }),
          ],
        }),
      { status: 413, type: 'context-too-large', field: 'body.recipients' },
    );
  });

  it('refuses push content over 100 KB when the campaign is saved', async () => {
    const data = Object.fromEntries(Array.from({ length: 110 }, (_, i) => [`k${i}`, 'v'.repeat(4_000)]));
    await refused(
      () =>
        api.post('/campaigns', {
          ...emailCampaign,
          channel: 'push',
          appId: 'com.example.app',
          identityNamespace: 'ecid',
          content: { title: 't', body: 'b', data },
        }),
      // On save the campaign rules name the body's fields; on activation (no body) the definition's.
      { status: 400, type: 'validation', field: 'body.content' },
    );
  });

  it('refuses an audience run whose shared context is over 200 KB', async () => {
    const audience = await api.post<{ id: string }>('/audiences', { name: 'big context' });
    const campaignId = await live({ category: 'marketing', audience: { id: audience.body.id } });
    await refused(
      () =>
        api.post('/im/executions/audience', {
          campaignId,
          requestId: 'big',
          context: { x: 'x'.repeat(250_000) },
        }),
      { status: 413, type: 'context-too-large', field: 'body.context' },
    );
  });

  it('refuses an upsert whose merged attributes would pass 100 KB, and keeps the profile as it was', async () => {
    const identities = [{ namespace: 'email', id: 'grow@example.com' }];
    const first = await api.put('/profiles', { identities, attributes: { a: 'a'.repeat(60_000) } });
    expect(first.status).toBeLessThan(300);
    await refused(() => api.put('/profiles', { identities, attributes: { b: 'b'.repeat(60_000) } }), {
      status: 413,
      type: 'too-large',
      field: 'body.attributes',
    });
    const profile = await api.get<{ attributes: Record<string, string> }>('/profiles/email/grow@example.com');
    expect(Object.keys(profile.body.attributes)).toEqual(['a']);
  });

  it('excludes a message whose rendering would pass 256 KB, never leaving it queued', async () => {
    const campaignId = await live({
      createNewProfiles: true,
      content: { subject: 's', html: '{{{context.x}}}{{{context.x}}}{{{context.x}}}' },
    });
    const accepted = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: 'huge-render',
      campaignId,
      recipients: [recipient('render@example.com', { context: { x: 'x'.repeat(100_000) } })],
    });
    expect(accepted.status).toBe(202);
    const [message] = await finalStatuses(accepted.body.executionId);
    expect(message).toMatchObject({ status: 'exclude', statusCode: 'content-too-large' });
  });

  it('refuses an Idempotency-Key over 255 characters before creating any profile', async () => {
    const campaignId = await live({ createNewProfiles: true });
    await refused(
      () =>
        api.request(
          'POST',
          '/im/executions/unitary',
          { requestId: 'long-key', campaignId, recipients: [recipient('new-person@example.com')] },
          { 'idempotency-key': 'k'.repeat(300) },
        ),
      { status: 400, type: 'validation', field: 'header.idempotency-key' },
    );
  });

  it('answers a reused key with another body before creating any profile', async () => {
    const campaignId = await live({ createNewProfiles: true });
    const first = await api.post('/im/executions/unitary', {
      requestId: 'reused',
      campaignId,
      recipients: [recipient('first@example.com')],
    });
    expect(first.status).toBe(202);
    // The first call's messages are sent (and written) in the background: let them finish first.
    await finalStatuses((first.body as { executionId: string }).executionId);
    await refused(
      () =>
        api.post('/im/executions/unitary', {
          requestId: 'reused',
          campaignId,
          recipients: [recipient('someone-else@example.com')],
        }),
      { status: 422, type: 'idempotency-key-reused' },
    );
  });
});

describe("a campaign's audience", () => {
  it('must exist in the campaign sandbox, on save and on activation', async () => {
    const other = await sandboxWithKey(herald, ['admin']);
    const theirs = await other.api.post<{ id: string }>('/audiences', { name: 'theirs' });
    await refused(
      () =>
        api.post('/campaigns', { ...emailCampaign, category: 'marketing', audience: { id: theirs.body.id } }),
      { status: 400, type: 'validation', field: 'body.audience.id' },
    );
    const mine = await api.post<{ id: string }>('/audiences', { name: 'mine' });
    const campaign = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      category: 'marketing',
      audience: { id: mine.body.id },
    });
    expect(campaign.status).toBe(201);
    expect((await api.delete(`/audiences/${mine.body.id}`)).status).toBe(204);
    const activated = await api.post(`/campaigns/${campaign.body.id}/activate`);
    expect(activated.status).toBe(400);
    expect(((activated.body.fields ?? []) as { path: string }[]).map((f) => f.path)).toContain('audience.id');
  });
});
