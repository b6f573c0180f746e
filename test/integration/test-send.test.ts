import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSendLimitError } from '../../shared/domain/errors.ts';
import { TEST_SENDS_PER_MINUTE, testSendWindow } from '../../shared/domain/test-send.ts';
import { executionsRoot } from '../../shared/roots/executions.ts';
import { keys } from '../../shared/store/keys.ts';
import { sendTest } from '../../shared/use-cases/test-send.ts';
import { type Client, client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';

/**
 * `POST /campaigns/{id}/tests` over the real routes: the campaign's draft or live content goes to
 * an address of the caller's choice through the campaign's channel configuration — here a real
 * SMTP server (smtp-server) on loopback — as an execution marked `test` that the execution log
 * does not list; bad input names its field; past 10 a minute a sandbox gets 429.
 */
interface Accepted {
  executionId: string;
  messageId: string;
  campaignId: string;
  version: string;
  test: true;
  to: string;
  createdAt: string;
}
interface Execution {
  executionId: string;
  test?: true;
  recipients: { userId: string; status: string; history: { status: string }[] }[];
}
interface Problem {
  status: number;
  type: string;
  title: string;
  fields?: { path: string; message: string }[];
}

const received: ParsedMail[] = [];
const server = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  onData(stream, _session, callback) {
    simpleParser(stream).then(
      (mail) => {
        received.push(mail);
        callback();
      },
      (error: Error) => callback(error),
    );
  },
});

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;
let campaignId: string;

const mailTo = (address: string) =>
  received.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === address);

async function settled(executionId: string): Promise<Execution> {
  let last: Execution | undefined;
  await waitFor(async () => {
    last = (await api.get<Execution>(`/executions/${executionId}`)).body;
    return last.recipients?.every((r) => r.status !== 'queued') ?? false;
  }, 'the test message to be sent');
  return last as Execution;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  herald = await startTestHerald();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  const configuration = await api.post('/channel-configurations', {
    name: 'local sink',
    channel: 'email',
    provider: {
      type: 'smtp',
      host: '127.0.0.1',
      port: address.port,
      secure: false,
      fromAddress: 'herald@example.com',
    },
    default: true,
  });
  expect(configuration.status, JSON.stringify(configuration.body)).toBe(201);
  const campaign = await api.post<{ id: string }>('/campaigns', {
    ...emailCampaign,
    content: { subject: 'Hi {{profile.firstName}}', text: 'Code {{context.code}}' },
  });
  expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
  campaignId = campaign.body.id;
});
afterAll(async () => {
  await herald?.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('POST /campaigns/{id}/tests', () => {
  it("sends a draft campaign's content through its SMTP configuration, marked test, listed nowhere", async () => {
    const answer = await api.post<Accepted>(`/campaigns/${campaignId}/tests`, {
      channelData: { emailAddress: ' Tester@Example.org ' },
      sampleProfile: { firstName: 'Ann' },
      context: { code: '42' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body).toMatchObject({ campaignId, version: 'draft', test: true, to: 'tester@example.org' });

    const execution = await settled(answer.body.executionId);
    expect(execution.test).toBe(true);
    expect(execution.recipients).toMatchObject([{ userId: 'tester@example.org', status: 'sent' }]);
    const [mail] = mailTo('tester@example.org');
    expect(mail?.subject).toBe('Hi Ann');
    expect(mail?.text?.trim()).toBe('Code 42');

    // Not an execution of the campaign: the log (and the console's counts built on it) skip it.
    const listed = await api.get<{ items: unknown[] }>(`/executions?campaignId=${campaignId}`);
    expect(listed.body.items).toEqual([]);
    // Its status lines say `test`; a test counts in no metric (the Messages metric is skipped).
    const lines = herald.logs
      .lines()
      .filter((l) => l.message === 'message status' && l.messageId === answer.body.messageId);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.test === true)).toBe(true);
  });

  it('sends the pending draft version by default and the live definition when asked', async () => {
    const live = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      name: 'Live one',
      content: { subject: 'Live subject', text: 'live' },
    });
    await api.post(`/campaigns/${live.body.id}/activate`);
    const edited = await api.patch(`/campaigns/${live.body.id}`, {
      content: { subject: 'Draft subject', text: 'draft' },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);

    const draft = await api.post<Accepted>(`/campaigns/${live.body.id}/tests`, {
      channelData: { emailAddress: 'draft@example.org' },
    });
    const active = await api.post<Accepted>(`/campaigns/${live.body.id}/tests`, {
      version: 'live',
      channelData: { emailAddress: 'live@example.org' },
    });
    expect([draft.status, active.status]).toEqual([202, 202]);
    await settled(draft.body.executionId);
    await settled(active.body.executionId);
    expect(mailTo('draft@example.org')[0]?.subject).toBe('Draft subject');
    expect(mailTo('live@example.org')[0]?.subject).toBe('Live subject');
  });

  it('refuses bad input with a 4xx naming the field, and writes nothing', async () => {
    const post = (body: unknown, id = campaignId) => api.post<Problem>(`/campaigns/${id}/tests`, body);
    const fieldsOf = (answer: { body: Problem }) => answer.body.fields?.map((f) => f.path);

    const missing = await post({ channelData: {} });
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing)).toEqual(['body.channelData.emailAddress']);

    const otherChannel = await post({ channelData: { mobilePhoneNumber: '+33612345678' } });
    expect(otherChannel.status).toBe(400);
    expect(fieldsOf(otherChannel)).toEqual([
      'body.channelData.mobilePhoneNumber',
      'body.channelData.emailAddress',
    ]);

    const malformed = await post({ channelData: { emailAddress: 'not an address' } });
    expect(malformed.status).toBe(400);
    expect(fieldsOf(malformed)).toEqual(['body.channelData.emailAddress']);

    const badVersion = await post({ version: 'old', channelData: { emailAddress: 'a@example.org' } });
    expect(badVersion.status).toBe(400);
    expect(fieldsOf(badVersion)).toEqual(['body.version']);

    // The draft campaign was never activated: it has no live version to test.
    const noLive = await post({ version: 'live', channelData: { emailAddress: 'a@example.org' } });
    expect(noLive.status).toBe(400);
    expect(fieldsOf(noLive)).toEqual(['body.version']);

    const unknown = await post(
      { channelData: { emailAddress: 'a@example.org' } },
      '00000000-0000-7000-8000-000000000000',
    );
    expect(unknown.status).toBe(404);

    const listed = await api.get<{ items: unknown[] }>(`/executions?campaignId=${campaignId}`);
    expect(listed.body.items).toEqual([]);
  });

  it('needs executions:write: a key that may edit campaigns but not send gets 403', async () => {
    const key = await herald.root.post<{ key: string }>('/api-keys', {
      sandbox,
      scopes: ['campaigns:read', 'campaigns:write', 'executions:read'],
    });
    const editor = client(herald.url, key.body.key);
    const answer = await editor.post<Problem>(`/campaigns/${campaignId}/tests`, {
      channelData: { emailAddress: 'a@example.org' },
    });
    expect(answer.status).toBe(403);
  });

  it(`refuses a sandbox's test sends past ${TEST_SENDS_PER_MINUTE} a minute with 429 and Retry-After`, async () => {
    // The window's counter, filled as ten sends would (this minute and the next, so the call
    // finds a full window whenever it lands).
    const now = Date.now();
    for (const at of [now, now + 60_000]) {
      await herald.clients.dynamodb.send(
        new UpdateCommand({
          TableName: herald.tableName,
          Key: keys.testSendWindow(sandbox, testSendWindow(new Date(at)).window),
          UpdateExpression: 'SET sends = :n, #type = :type',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':n': TEST_SENDS_PER_MINUTE, ':type': 'test-send-window' },
        }),
      );
    }
    const answer = await api.post<Problem>(`/campaigns/${campaignId}/tests`, {
      channelData: { emailAddress: 'limit@example.org' },
    });
    expect(answer.status).toBe(429);
    expect(answer.body).toMatchObject({
      type: 'urn:herald:problem:test-send-limit',
      title: 'Too many test sends',
    });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(answer.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('counts per sandbox and per minute, on a fixed clock: the 11th in a minute is refused, the next minute sends', async () => {
    const other = await sandboxWithKey(herald, ['admin']);
    const campaign = await other.api.post<{ id: string }>('/campaigns', emailCampaign);
    const deps = executionsRoot(herald.config, herald.clients);
    let at = new Date('2030-01-01T10:00:05.000Z');
    const clocked = { ...deps, clock: { now: () => at } };
    const caller = { sandbox: other.sandbox, keyId: other.keyId };
    const input = { channelData: { emailAddress: 'count@example.org' } };
    for (let i = 0; i < TEST_SENDS_PER_MINUTE; i++) await sendTest(clocked, caller, campaign.body.id, input);
    await expect(sendTest(clocked, caller, campaign.body.id, input)).rejects.toBeInstanceOf(
      TestSendLimitError,
    );
    at = new Date('2030-01-01T10:01:00.000Z');
    await expect(sendTest(clocked, caller, campaign.body.id, input)).resolves.toMatchObject({ test: true });
  });
});
