import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startHerald } from '../infra/local/runtime.ts';
import { apiCaller } from './api.ts';

/**
 * `npm run bench`: Herald's hot path on the embedded runtime (engines, gateway, handlers and the
 * dispatch poller all in this one process). Prints figures; asserts nothing. Bounded: a few hundred
 * requests per row, loopback only.
 */
// The functions' log level, parsed from this environment by startHerald: benches measure, they do not read logs.
process.env.HERALD_LOG_LEVEL ??= 'ERROR';
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map(Number);

const herald = await startHerald({
  port: 0,
  dataDir: null,
  schedulerIntervalMs: 0,
  log: () => {},
  // The EMF documents are serialized as on Lambda, then dropped (not printed among the results).
  metricsSink: () => {},
});
// The runtime's own client (it stops it).
const { sqs } = herald.clients;

const call = apiCaller(herald.url);

/** Runs `total` requests with `concurrency` in flight; returns each latency in ms and the wall time. */
async function load(total: number, concurrency: number, request: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await request(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), wallMs: performance.now() - started };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function queueDrained(url: string, since: number): Promise<number> {
  for (;;) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    if (
      Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible) ===
      0
    ) {
      return performance.now() - since;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

try {
  const root = herald.rootKey ?? '';
  await call('POST', '/sandboxes', root, { name: 'bench' });
  const { key } = (await call('POST', '/api-keys', root, { sandbox: 'bench', scopes: ['admin'] })) as {
    key: string;
  };
  for (let i = 0; i < 20; i++) {
    await call('PUT', '/profiles', key, {
      identities: [{ namespace: 'email', id: `member${i}@example.com` }],
      attributes: { n: i },
    });
  }
  const campaign = (await call('POST', '/campaigns', key, {
    name: 'bench',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    content: { subject: 'Hello {{profile.n}}', html: '<p>{{context.code}}</p>' },
  })) as { id: string };
  await call('POST', `/campaigns/${campaign.id}/activate`, key);
  const codes = (await call('POST', '/campaigns', key, {
    name: 'bench codes',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    highThroughput: true,
    content: { subject: 'Your code', html: '<p>{{context.code}}</p>' },
  })) as { id: string };
  await call('POST', `/campaigns/${codes.id}/activate`, key);

  console.log(
    `Herald bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(
    `${CALLS} requests per row; embedded dynalite + fauxqs + gateway + dispatch poller in one process\n`,
  );
  console.log(
    'route                        recip  conc   calls/s  recipients/s  p50 ms  p99 ms  all sent after',
  );
  const row = (
    name: string,
    recipients: number,
    concurrency: number,
    r: { latencies: number[]; wallMs: number },
    sentMs?: number,
  ) =>
    console.log(
      `${name.padEnd(28)} ${String(recipients).padStart(5)} ${String(concurrency).padStart(5)} ${((CALLS / r.wallMs) * 1000).toFixed(0).padStart(9)} ${(((CALLS * recipients) / r.wallMs) * 1000).toFixed(0).padStart(13)} ${percentile(r.latencies, 50).toFixed(1).padStart(7)} ${percentile(r.latencies, 99).toFixed(1).padStart(7)}  ${sentMs === undefined ? '-' : `${(sentMs / 1000).toFixed(2)} s`}`,
    );

  for (const concurrency of CONCURRENCY) {
    row(
      'GET /im/health (ceiling)',
      0,
      concurrency,
      await load(CALLS, concurrency, () => call('GET', '/im/health', key)),
    );
  }
  let run = 0;
  for (const recipients of [1, 20]) {
    for (const concurrency of CONCURRENCY) {
      run++;
      const started = performance.now();
      const result = await load(CALLS, concurrency, (i) =>
        call('POST', '/im/executions/unitary', key, {
          requestId: `bench-${run}-${i}`,
          campaignId: campaign.id,
          recipients: Array.from({ length: recipients }, (_, r) => ({
            type: 'aep',
            userId: `member${(i + r) % 20}@example.com`,
            namespace: 'email',
            context: { code: String(i) },
          })),
        }),
      );
      const sentMs = await queueDrained(herald.queueUrls.DISPATCH_QUEUE_URL ?? '', started);
      row('POST /im/executions/unitary', recipients, concurrency, result, sentMs);
    }
    // High-throughput beside it: external recipients, no profile read, one enqueue per call.
    for (const concurrency of CONCURRENCY) {
      run++;
      const started = performance.now();
      const result = await load(CALLS, concurrency, (i) =>
        call('POST', '/im/executions/highthroughput', key, {
          requestId: `bench-${run}-${i}`,
          campaignId: codes.id,
          recipients: Array.from({ length: recipients }, (_, r) => ({
            type: 'external',
            userId: `member${(i + r) % 20}@example.com`,
            channelData: { emailAddress: `member${(i + r) % 20}@example.com` },
            context: { code: String(i) },
          })),
        }),
      );
      const sentMs = await queueDrained(herald.queueUrls.DISPATCH_QUEUE_URL ?? '', started);
      row('POST …/highthroughput', recipients, concurrency, result, sentMs);
    }
  }

  // Webhook delivery: status events of webhook-enabled triggers to a local receiver.
  const WEBHOOK_CALLS = Number(process.env.BENCH_WEBHOOK_CALLS ?? 50);
  const receipts = new Map<string, { delayMs: number; at: number }>();
  const receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timestamp: string };
      receipts.set(String(request.headers['webhook-id']), { delayMs: at - Date.parse(event.timestamp), at });
      response.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  try {
    const { port } = receiver.address() as AddressInfo;
    await call('POST', '/webhooks', key, { name: 'bench', url: `http://127.0.0.1:${port}/hook` });
    const hooked = (await call('POST', '/campaigns', key, {
      name: 'bench-webhooks',
      category: 'transactional',
      channel: 'email',
      identityNamespace: 'email',
      enableWebhooks: true,
      content: { subject: 'Hello {{profile.n}}', text: 'x' },
    })) as { id: string };
    await call('POST', `/campaigns/${hooked.id}/activate`, key);
    const expected = WEBHOOK_CALLS * 20 * 2;
    await load(WEBHOOK_CALLS, 8, (i) =>
      call('POST', '/im/executions/unitary', key, {
        requestId: `bench-webhooks-${i}`,
        campaignId: hooked.id,
        recipients: Array.from({ length: 20 }, (_, r) => ({
          type: 'aep',
          userId: `member${r}@example.com`,
          namespace: 'email',
        })),
      }),
    );
    const deadline = Date.now() + 300_000;
    while (receipts.size < expected && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const times = [...receipts.values()].map((r) => r.at);
    const delays = [...receipts.values()].map((r) => r.delayMs).sort((a, b) => a - b);
    const spanS = (Math.max(...times) - Math.min(...times)) / 1000;
    console.log(
      `\nwebhook delivery (one feedback worker, ${WEBHOOK_CALLS} triggers × 20 recipients × 2 statuses)`,
    );
    console.log(
      `events received ${receipts.size}/${expected}  events/s ${(receipts.size / spanS).toFixed(0)}  status change → receipt p50 ${(percentile(delays, 50) / 1000).toFixed(2)} s  p99 ${(percentile(delays, 99) / 1000).toFixed(2)} s`,
    );
  } finally {
    receiver.close();
  }
} finally {
  await herald.stop();
}
