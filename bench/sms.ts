import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { CreatePlatformApplicationCommand } from '@aws-sdk/client-sns';
import { createSnsClient } from '../shared/channels/sns-client.ts';
import { PushEndpointCache, SnsPushProvider } from '../shared/channels/sns-push-provider.ts';
import { SnsSmsProvider } from '../shared/channels/sns-sms-provider.ts';
import type {
  ChannelProvider,
  OutgoingMessage,
  ResolvedProvider,
  SendOutcome,
} from '../shared/domain/channel.ts';
import {
  dispatchJobFor,
  type ExecutionStore,
  type MessageRecord,
  unitaryRun,
} from '../shared/domain/execution.ts';
import type { ProfileRecord } from '../shared/domain/profile.ts';
import { type DispatchDeps, dispatchJob } from '../shared/use-cases/dispatch.ts';
import { closedPort, startMoto } from '../test/integration/moto.ts';
import { type Arrivals, pacedDispatch, pacingRow } from './paced-dispatch.ts';

/**
 * `npm run bench:sms`: SMS and push through Herald's SNS providers against moto_server (which
 * must be installed, as for the tests: `pip install 'moto[server]==5.2.1'`). Prints figures;
 * asserts nothing. BENCH_SMS_MESSAGES (500) messages are handed to one provider at once, as a
 * dispatch job sends side by side; push sends first to new tokens (CreatePlatformEndpoint +
 * Publish each) and then to the same tokens again (Publish only, the endpoints cached). moto is a
 * single Python process, so the figures say what Herald's side costs and where the server's
 * limit is, not what SNS does.
 *
 * Failover: one dispatch job of BENCH_FAILOVER_MESSAGES (100) SMS through the real dispatcher
 * (dispatchJob, its stores in memory: the figure is the send path's, not DynamoDB's) whose primary
 * is SNS SMS on a closed port (connection refused) or on a server answering 503, and whose fallback
 * is SNS SMS on moto. Printed: the time from the primary's first failed answer to the fallback's
 * first accepted message, and per message from its primary's failure to its fallback's answer.
 *
 * Rate limit: an SNS SMS channel configuration with `rateLimitPerSec` at BENCH_SMS_RATES (20 and
 * 100) parts a second, BENCH_SMS_RATE_SECONDS (20) seconds' worth of two-part messages, through
 * the whole local dispatch path (bench/paced-dispatch.ts: triggers queued first, then the dispatch
 * poller over the real handler); a recorder in front of moto notes when each Publish arrives.
 */
// The dispatcher's metrics and logs would fill the output: off (read when first used).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.HERALD_LOG_LEVEL ??= 'ERROR';
const MESSAGES = Number(process.env.BENCH_SMS_MESSAGES ?? 500);
const FAILOVER_MESSAGES = Number(process.env.BENCH_FAILOVER_MESSAGES ?? 100);
const RATES = (process.env.BENCH_SMS_RATES ?? '20,100').split(',').map(Number);
const RATE_SECONDS = Number(process.env.BENCH_SMS_RATE_SECONDS ?? 20);
/** Two GSM-7 parts with the message's number in it (153 septets a part when concatenated). */
const TWO_PARTS = `Order {{context.n}}: ${'your parcel is on its way and will arrive soon. '.repeat(4)}`;

const moto = await startMoto();
const sns = createSnsClient({
  endpoint: moto.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

const message = (i: number, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  sandbox: 'bench',
  executionId: randomUUID(),
  messageId: randomUUID(),
  channel: 'sms',
  campaignType: 'transactional',
  to: `+1415555${String(i % 10_000).padStart(4, '0')}`,
  content: { body: `Your code is ${String(i).padStart(6, '0')}` },
  ...extra,
});

async function run(label: string, send: (i: number) => Promise<{ kind: string; code?: string }>) {
  const started = performance.now();
  const outcomes = await Promise.all(Array.from({ length: MESSAGES }, (_, i) => send(i)));
  const seconds = (performance.now() - started) / 1000;
  const accepted = outcomes.filter((o) => o.kind === 'accepted').length;
  const others = new Map<string, number>();
  for (const o of outcomes)
    if (o.kind !== 'accepted')
      others.set(`${o.kind} ${o.code ?? ''}`, (others.get(`${o.kind} ${o.code ?? ''}`) ?? 0) + 1);
  console.log(
    `  ${label.padEnd(44)} ${(accepted / seconds).toFixed(0).padStart(6)} messages/s  (${accepted}/${MESSAGES} accepted in ${seconds.toFixed(2)} s${others.size > 0 ? `; the rest: ${[...others].map(([k, n]) => `${n} ${k}`).join(', ')}` : ''})`,
  );
}

/** A provider that stamps when each message's answer came back (performance.now()). */
function stamped(
  provider: ChannelProvider,
  answers: Map<string, { at: number; kind: string }>,
): ChannelProvider {
  return {
    name: provider.name,
    idempotent: provider.idempotent,
    send: async (message, now) => {
      const outcome: SendOutcome = await provider.send(message, now);
      answers.set(message.messageId, { at: performance.now(), kind: outcome.kind });
      return outcome;
    },
  };
}

/**
 * In front of moto: forwards every request as it is and notes when each `Publish` arrived, by its
 * message text (each carries its own number); the dispatch path's SNS client is pointed here.
 */
async function publishRecorder(target: string): Promise<Arrivals & { url: string; close(): Promise<void> }> {
  const arrivals = new Map<string, number>();
  let received = 0;
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('Action') === 'Publish') {
        received += 1;
        const text = form.get('Message') ?? '';
        if (!arrivals.has(text)) arrivals.set(text, Date.now());
      }
      const forwarded = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
          agent,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.writeHead(502).end());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An HTTP server answering every request 503, as SNS does when it is down. */
async function downServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(503, { 'content-type': 'text/xml' });
      response.end(
        '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>Service Unavailable</Message></Error><RequestId>r</RequestId></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, // listen() on a port gives an AddressInfo
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** One job of FAILOVER_MESSAGES SMS through dispatchJob: the primary down, the fallback on moto. */
async function failover(label: string, primaryUrl: string) {
  const primarySns = createSnsClient({
    endpoint: primaryUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const primaryAnswers = new Map<string, { at: number; kind: string }>();
  const fallbackAnswers = new Map<string, { at: number; kind: string }>();
  const resolved: ResolvedProvider = {
    provider: stamped(new SnsSmsProvider(primarySns, { originationNumber: '+18005550100' }), primaryAnswers),
    configurationId: 'primary',
    fallback: {
      provider: stamped(new SnsSmsProvider(sns, { originationNumber: '+18005550101' }), fallbackAnswers),
      configurationId: 'fallback',
    },
  };
  const messages = Array.from(
    { length: FAILOVER_MESSAGES },
    (_, i): MessageRecord => ({
      sandbox: 'bench',
      executionId: 'e1',
      messageId: `m${i}`,
      userId: `+1415556${String(i).padStart(4, '0')}`,
      namespace: 'phone',
      status: 'queued',
      history: [{ status: 'queued', at: new Date().toISOString() }],
    }),
  );
  const statuses = new Map<string, string>();
  const executions: Pick<ExecutionStore, 'transition' | 'claimSend'> = {
    transition: async (message, _from, changes) => {
      statuses.set(message.messageId, changes.map((c) => c.code ?? c.status).join(','));
      return true;
    },
    claimSend: async () => ({ claim: 'claimed' }),
  };
  const deps: DispatchDeps = {
    executions: executions as ExecutionStore, // only the two calls dispatch makes here
    reads: {
      read: async () => ({
        messages: new Map(messages.map((m) => [m.messageId, m])),
        profiles: new Map<string, ProfileRecord>(),
        suppressed: new Set<string>(),
      }),
    },
    suppressions: { suppressedAmong: async () => new Set<string>(), suppress: async () => {} },
    providers: { resolve: async () => resolved },
    retries: { sendDelayed: async () => {} },
    ledger: { next: async () => undefined, reserve: async (_s, _c, _n, _r, now) => now },
    unsubscribeUrl: () => 'https://herald.example/u/token',
    events: { publish: async () => {} },
    clock: { now: () => new Date() },
    profiles: { findOwners: async () => new Map(), get: async () => undefined, save: async () => {} },
    health: { record: async () => {} },
  };
  const header = unitaryRun(
    {
      id: 'c1',
      category: 'transactional',
      channel: 'sms',
      enableWebhooks: false,
      content: { body: 'Your code is 123456' },
      channelConfigurationId: 'primary',
    },
    { sandbox: 'bench', executionId: 'e1', requestId: 'r1', campaignVersion: 1 },
  );
  const started = performance.now();
  await dispatchJob(
    deps,
    dispatchJobFor(
      header,
      messages.map((m) => ({
        messageId: m.messageId,
        userId: m.userId,
        namespace: 'phone',
        channelData: { mobilePhoneNumber: m.userId },
      })),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  primarySns.destroy();
  const firstFailure = Math.min(...[...primaryAnswers.values()].map((a) => a.at));
  const firstSent = Math.min(
    ...[...fallbackAnswers.values()].filter((a) => a.kind === 'accepted').map((a) => a.at),
  );
  const perMessage = [...fallbackAnswers].flatMap(([id, answer]) => {
    const primary = primaryAnswers.get(id);
    return primary ? [answer.at - primary.at] : [];
  });
  perMessage.sort((a, b) => a - b);
  const moved = [...statuses.values()].filter((s) => s === 'failover').length;
  console.log(
    `  ${label.padEnd(44)} first fallback send ${(firstSent - firstFailure).toFixed(1)} ms after the first primary failure; per message p50 ${quantile(perMessage, 0.5).toFixed(1)} ms, p99 ${quantile(perMessage, 0.99).toFixed(1)} ms; ${moved}/${FAILOVER_MESSAGES} sent by the fallback, ${(moved / seconds).toFixed(0)} messages/s`,
  );
}

try {
  console.log(
    `Herald SMS/push bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; moto_server 5.2.1 on loopback\n`,
  );
  const sms = new SnsSmsProvider(sns, { originationNumber: '+18005550100' });
  await run('SNS SMS Publish', (i) => sms.send(message(i), new Date()));

  const { PlatformApplicationArn } = await sns.send(
    new CreatePlatformApplicationCommand({
      Name: 'bench',
      Platform: 'GCM',
      Attributes: { PlatformCredential: 'bench' },
    }),
  );
  const push = new SnsPushProvider(
    sns,
    [{ appId: 'bench.app', platform: 'fcm', platformApplicationArn: PlatformApplicationArn ?? '' }],
    new PushEndpointCache(),
  );
  const tokens = Array.from({ length: MESSAGES }, () => `token-${randomUUID()}`);
  const pushMessage = (i: number): OutgoingMessage =>
    message(i, {
      channel: 'push',
      to: tokens[i] ?? '',
      content: { title: 'Shipped', body: 'Order 42 is on its way', data: { order: '42' } },
      push: { appId: 'bench.app', platform: 'fcm' },
    });
  await run('SNS push, new tokens (register + publish)', (i) => push.send(pushMessage(i), new Date()));
  await run('SNS push, known tokens (publish only)', (i) => push.send(pushMessage(i), new Date()));

  console.log(`\nFailover (one dispatch job of ${FAILOVER_MESSAGES} SMS, fallback SNS SMS on moto):`);
  await failover('primary on a closed port (refused)', `http://127.0.0.1:${await closedPort()}`);
  const down = await downServer();
  try {
    await failover('primary answering 503', down.url);
  } finally {
    await down.close();
  }

  console.log(
    `\nrateLimitPerSec of an SNS SMS configuration, in parts (${RATE_SECONDS} s of two-part messages per rate in jobs of 20; through dispatch, the dispatch poller 4 batches in flight; the DynamoDB engine in its own process, moto behind a recorder in this one)`,
  );
  for (const rate of RATES) {
    const recorder = await publishRecorder(moto.url);
    const endpoint = process.env.AWS_ENDPOINT_URL_SNS;
    // The dispatch function's SNS client reads its endpoint, region and credentials from here.
    process.env.AWS_ENDPOINT_URL_SNS = recorder.url;
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'bench';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
    try {
      const result = await pacedDispatch({
        rate,
        seconds: RATE_SECONDS,
        recipientsPerCall: 20,
        sink: recorder,
        channel: 'sms',
        provider: { type: 'sns-sms', originationNumber: '+18005550100' },
        identityNamespace: 'phone',
        identity: (i) => `+1415555${String(i).padStart(4, '0')}`,
        content: { body: TWO_PARTS },
        slotsPerMessage: 2,
      });
      pacingRow(rate, result, 'parts');
    } finally {
      if (endpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SNS;
      else process.env.AWS_ENDPOINT_URL_SNS = endpoint;
      await recorder.close();
    }
  }
} finally {
  sns.destroy();
  await moto.stop();
}
