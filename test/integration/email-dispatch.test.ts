import { generateKeyPairSync } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDefinitions } from '../../shared/definitions/queues.ts';
import { dispatchRoot } from '../../shared/roots/dispatch.ts';
import { type DispatchJob, dispatchJobSchema } from '../../shared/schemas/dispatch-job.ts';
import { DynamoDbExecutionStore } from '../../shared/store/dynamodb-execution-store.ts';
import { keys } from '../../shared/store/keys.ts';
import { dispatchJob } from '../../shared/use-cases/dispatch.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';

/**
 * Email through a channel configuration, end to end: a real SMTP server (smtp-server) receives
 * what Herald's dispatcher sends through its SMTP provider. The server answers by recipient:
 * `nobody@…` gets 550 5.1.1 (a bounce), `busy@…` gets 451 on its first try (a "not now").
 */
interface Sink {
  readonly port: number;
  readonly received: ParsedMail[];
  /** RCPT TO tries per address, refused or not. */
  readonly tries: Map<string, number>;
  stop(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const received: ParsedMail[] = [];
  const tries = new Map<string, number>();
  const reply = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onRcptTo(address, _session, callback) {
      const count = (tries.get(address.address) ?? 0) + 1;
      tries.set(address.address, count);
      if (address.address.startsWith('nobody@')) return callback(reply(550, '5.1.1 No such user here'));
      if (address.address.startsWith('busy@') && count === 1)
        return callback(reply(451, '4.3.0 Try again later'));
      return callback();
    },
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    received,
    tries,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Recipient = {
  userId: string;
  status: string;
  statusCode?: string;
  history: { status: string; code?: string; reason?: string }[];
};
type Execution = { executionId: string; recipients: Recipient[] };

/** The configuration signs with DKIM: a key sealed by the API and opened by dispatch. */
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

const smtpConfiguration = (port: number) => ({
  name: 'local sink',
  channel: 'email',
  provider: {
    type: 'smtp',
    host: '127.0.0.1',
    port,
    secure: false,
    fromAddress: 'herald@example.com',
    fromName: 'Herald ✉',
    unsubscribeMailto: 'unsubscribe@example.com',
    dkim: { domainName: 'example.com', keySelector: 'herald', privateKey: dkimKey },
  },
  default: true,
});

let sink: Sink;
beforeAll(async () => {
  sink = await startSink();
});
afterAll(async () => {
  await sink?.stop();
});

/** A header as it was written, unfolded (RFC 5322 folding may split a long one over lines). */
const rawHeader = (mail: ParsedMail, key: string) =>
  (mail.headerLines.find((h) => h.key === key)?.line ?? '')
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/^[^:]+:\s*/, '');

const mailTo = (address: string) =>
  sink.received.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === address);

describe('email through an SMTP channel configuration (the runtime sending)', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let api: Client;
  let counter = 0;
  const trigger = async (campaignId: string, userId: string) => {
    const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `smtp-${++counter}`,
      campaignId,
      recipients: [{ type: 'aep', userId, namespace: 'email', context: { link: 'https://example.com/r' } }],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    return answer.body.executionId;
  };
  const settled = async (executionId: string) => {
    let last: Execution | undefined;
    await waitFor(async () => {
      last = (await api.get<Execution>(`/executions/${executionId}`)).body;
      return last.recipients.every((r) => r.status !== 'queued');
    }, 'the message to be sent');
    return (last as Execution).recipients[0] as Recipient;
  };

  beforeAll(async () => {
    herald = await startTestHerald();
    ({ api } = await sandboxWithKey(herald, ['admin']));
    const created = await api.post('/channel-configurations', smtpConfiguration(sink.port));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });
  afterAll(async () => {
    await herald?.stop();
  });

  it('sends a transactional email to the server, sent, DKIM-signed, without unsubscribe headers', async () => {
    const campaign = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      createNewProfiles: true,
    });
    await api.post(`/campaigns/${campaign.body.id}/activate`);
    const recipient = await settled(await trigger(campaign.body.id, 'ada@example.org'));
    expect(recipient.status).toBe('sent');
    const [mail] = mailTo('ada@example.org');
    expect(mail?.subject).toBe('Reset for');
    expect(mail?.from?.value).toEqual([{ name: 'Herald ✉', address: 'herald@example.com' }]);
    expect(mail?.html).toContain('href="https://example.com/r"');
    expect(mail?.headers.has('list-unsubscribe')).toBe(false);
    const signature = rawHeader(mail as ParsedMail, 'dkim-signature');
    expect(signature).toMatch(/\bd=example\.com;/);
    expect(signature).toMatch(/\bs=herald;/);
    expect(signature).toMatch(/\ba=rsa-sha256;/);
    expect(signature).toMatch(/\bh=[^;]*\bfrom\b[^;]*;/i);
  });

  it('gives transactional mail the unsubscribe link when its campaign asks for it', async () => {
    const campaign = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      createNewProfiles: true,
      unsubscribeLink: true,
      content: { subject: 'Digest', text: 'Stop these: {{unsubscribeUrl}}' },
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    await api.post(`/campaigns/${campaign.body.id}/activate`);
    expect((await settled(await trigger(campaign.body.id, 'digest@example.org'))).status).toBe('sent');
    const mail = mailTo('digest@example.org')[0] as ParsedMail;
    expect(rawHeader(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const url = /^<(http:\/\/127\.0\.0\.1:\d+\/u\/[A-Za-z0-9._-]+)>/.exec(
      rawHeader(mail, 'list-unsubscribe'),
    )?.[1];
    expect(url).toBeDefined();
    expect(mail.text).toContain(`Stop these: ${url}`);
  });

  it('records a 5xx mailbox answer as a bounce with the SMTP code, and suppresses the address', async () => {
    const campaign = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      createNewProfiles: true,
    });
    await api.post(`/campaigns/${campaign.body.id}/activate`);
    const bounced = await settled(await trigger(campaign.body.id, 'nobody@example.org'));
    expect(bounced).toMatchObject({ status: 'bounce', statusCode: 'smtp-550' });
    expect(bounced.history.at(-1)?.reason).toContain('No such user');
    const again = await settled(await trigger(campaign.body.id, 'nobody@example.org'));
    expect(again).toMatchObject({ status: 'exclude', statusCode: 'suppressed-address' });
    expect(sink.tries.get('nobody@example.org')).toBe(1);
  });

  it('puts List-Unsubscribe and {{unsubscribeUrl}} in marketing mail; the link withdraws consent', async () => {
    const audience = (await api.post<{ id: string }>('/audiences', { name: 'News' })).body.id;
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'max@example.org' }],
      consent: { marketing: { email: 'y' } },
      audiences: [audience],
    });
    const campaign = await api.post<{ id: string }>('/campaigns', {
      name: 'News',
      category: 'marketing',
      channel: 'email',
      identityNamespace: 'email',
      audience: { id: audience },
      content: {
        subject: 'News',
        html: '<a href="{{unsubscribeUrl}}">Unsubscribe</a>',
        text: 'Leave: {{unsubscribeUrl}}',
      },
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    expect((await api.post(`/campaigns/${campaign.body.id}/activate`)).status).toBe(200);
    const run = async () =>
      (await api.post<{ executionId: string }>('/im/executions/audience', { campaignId: campaign.body.id }))
        .body.executionId;
    await run();
    await waitFor(() => mailTo('max@example.org').length === 1, 'the marketing mail');
    const mail = mailTo('max@example.org')[0] as ParsedMail;
    expect(rawHeader(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const url = /^<(http:\/\/127\.0\.0\.1:\d+\/u\/[A-Za-z0-9._-]+)>, <mailto:unsubscribe@example\.com>$/.exec(
      rawHeader(mail, 'list-unsubscribe'),
    )?.[1];
    expect(url, 'List-Unsubscribe names the one-click URL, then the configured mailbox').toBeDefined();
    expect(url?.startsWith(herald.url)).toBe(true);
    expect(mail.text).toContain(`Leave: ${url}`);
    expect(mail.html).toContain(`href="${url}"`);

    const oneClick = await fetch(url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const second = await run();
    let status: { counts: { excluded: Record<string, number> } } | undefined;
    await waitFor(async () => {
      status = (await api.get<typeof status & { status: string }>(`/im/executions/audience/${second}`)).body;
      return (status?.counts.excluded['no-consent'] ?? 0) === 1;
    }, 'the second run to exclude the profile');
    expect(mailTo('max@example.org')).toHaveLength(1);
  });
});

describe('the dispatcher and an SMTP provider that cannot de-duplicate (jobs run by the test)', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let api: Client;
  let sandbox: string;
  let campaignId: string;
  let counter = 0;
  const dispatchQueue = () => herald.queueUrls.DISPATCH_QUEUE_URL as string;

  /** The next job on the dispatch queue (no poller runs here), deleted from it. */
  async function nextJob(): Promise<DispatchJob> {
    for (let i = 0; i < 20; i++) {
      const { Messages } = await herald.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dispatchQueue(), MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
      );
      const message = Messages?.[0];
      if (message) {
        await herald.clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: dispatchQueue(), ReceiptHandle: message.ReceiptHandle }),
        );
        return dispatchJobSchema.parse(JSON.parse(message.Body ?? '{}'));
      }
    }
    throw new Error('no dispatch job');
  }
  const trigger = async (userId: string) => {
    const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `manual-${++counter}`,
      campaignId,
      recipients: [{ type: 'aep', userId, namespace: 'email' }],
    });
    expect(answer.status).toBe(202);
    return nextJob();
  };
  const recipient = async (executionId: string) =>
    (await api.get<Execution>(`/executions/${executionId}`)).body.recipients[0] as Recipient;

  beforeAll(async () => {
    herald = await startTestHerald({ queues: queueDefinitions.filter((q) => q.name !== 'dispatch') });
    ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
    expect((await api.post('/channel-configurations', smtpConfiguration(sink.port))).status).toBe(201);
    const campaign = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      createNewProfiles: true,
    });
    campaignId = campaign.body.id;
    await api.post(`/campaigns/${campaignId}/activate`);
  });
  afterAll(async () => {
    await herald?.stop();
  });

  const deps = () => ({ ...dispatchRoot(herald.config, herald.clients), retrySchedule: [0] });

  it('delays a message on a 4xx answer, queues it again, and sends it once on the next try', async () => {
    const job = await trigger('busy@example.org');
    const run = deps();
    await dispatchJob(run, job);
    const delayed = await recipient(job.executionId);
    expect(delayed).toMatchObject({ status: 'delay', statusCode: 'smtp-451' });
    expect(mailTo('busy@example.org')).toHaveLength(0);

    const retry = await nextJob();
    expect(retry).toMatchObject({ executionId: job.executionId, attempt: 1 });
    expect(retry.recipients.map((r) => r.messageId)).toEqual(job.recipients.map((r) => r.messageId));
    await dispatchJob(run, retry);
    expect(await recipient(job.executionId)).toMatchObject({ status: 'sent' });
    expect(mailTo('busy@example.org')).toHaveLength(1);
    expect((await recipient(job.executionId)).history.map((h) => h.status)).toEqual([
      'queued',
      'delay',
      'sent',
    ]);

    // A redelivery of either job finds the message sent and sends nothing.
    await dispatchJob(run, job);
    await dispatchJob(run, retry);
    expect(mailTo('busy@example.org')).toHaveLength(1);
    expect(sink.tries.get('busy@example.org')).toBe(2);
  });

  it('gives up after the schedule: the last 4xx answer becomes an error', async () => {
    const job = await trigger('busy@example.net');
    await dispatchJob({ ...deps(), retrySchedule: [] }, job);
    const failed = await recipient(job.executionId);
    expect(failed).toMatchObject({ status: 'error', statusCode: 'smtp-451' });
    expect(failed.history.at(-1)?.reason).toContain('Gave up after 1 tries');
  });

  it('never hands a claimed message to the provider again: a fresh claim waits, a stale one is an error', async () => {
    const job = await trigger('claimed@example.org');
    const store = new DynamoDbExecutionStore(herald.clients.dynamodb, herald.config.TABLE_NAME);
    const [ref] = job.recipients;
    const message = await store.getMessage(sandbox, job.executionId, ref?.messageId ?? '', ref?.shard);
    if (!message) throw new Error('no message');
    // Another dispatcher claimed it just now: this one leaves it and asks for the job back.
    expect(await store.claimSend(message, 'queued', new Date().toISOString())).toEqual({ claim: 'claimed' });
    await expect(dispatchJob(deps(), job)).rejects.toThrow(/being sent by another dispatcher/);
    expect((await recipient(job.executionId)).status).toBe('queued');

    // That dispatcher died: past the lease the message is an error, and still never sent.
    await herald.clients.dynamodb.send(
      new UpdateCommand({
        TableName: herald.config.TABLE_NAME,
        Key: keys.message(sandbox, job.executionId, message.messageId, message.shard),
        UpdateExpression: 'SET sendingSince = :old',
        ExpressionAttributeValues: { ':old': '2020-01-01T00:00:00.000Z' },
      }),
    );
    await dispatchJob(deps(), job);
    const interrupted = await recipient(job.executionId);
    expect(interrupted).toMatchObject({ status: 'error', statusCode: 'send-interrupted' });
    expect(sink.tries.get('claimed@example.org')).toBeUndefined();
  });

  it('holds rateLimitPerSec across jobs through the configuration ledger, queueing what does not fit', async () => {
    const limited = await api.post<{ id: string }>('/channel-configurations', {
      ...smtpConfiguration(sink.port),
      name: 'two per second',
      default: false,
      rateLimitPerSec: 2,
    });
    expect(limited.status, JSON.stringify(limited.body)).toBe(201);
    const campaign = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      createNewProfiles: true,
      channelConfigurationId: limited.body.id,
    });
    await api.post(`/campaigns/${campaign.body.id}/activate`);
    const many = async (prefix: string) => {
      const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
        requestId: `paced-${prefix}`,
        campaignId: campaign.body.id,
        recipients: Array.from({ length: 20 }, (_, i) => ({
          type: 'aep',
          userId: `${prefix}${i}@paced.example`,
          namespace: 'email',
        })),
      });
      expect(answer.status).toBe(202);
      return nextJob();
    };
    // A still clock and a sleep that only writes down: the slots are the ledger's, not the machine's.
    const t0 = Date.parse('2030-01-01T00:00:00.000Z');
    const waits: number[] = [];
    const paced = {
      ...deps(),
      clock: { now: () => new Date(t0) },
      sleep: async (ms: number) => void waits.push(ms),
    };
    const first = await many('a');
    await dispatchJob(paced, first);
    // 20 messages at 2/s: one slot every 500 ms from now, the first at once.
    expect(waits).toEqual(Array.from({ length: 19 }, (_, i) => (i + 1) * 500));
    expect(
      sink.received.filter((m) =>
        String(m.to && !Array.isArray(m.to) && m.to.text).endsWith('@paced.example'),
      ),
    ).toHaveLength(20);

    waits.length = 0;
    const second = await many('b');
    await dispatchJob(paced, second);
    // The ledger is booked 10 s ahead: 10 more fit in the 15 s window, after the first job's.
    expect(waits).toEqual(Array.from({ length: 10 }, (_, i) => 10_000 + i * 500));
    const rest = await nextJob();
    expect(rest.recipients.map((r) => r.userId)).toEqual(second.recipients.slice(10).map((r) => r.userId));
    const statuses = (await api.get<Execution>(`/executions/${second.executionId}`)).body.recipients.map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(10);
  });
});
