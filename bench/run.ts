import diagnostics from 'node:diagnostics_channel';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { startHerald } from '../infra/local/runtime.ts';
import { uuidv7 } from '../shared/domain/ids.ts';
import { SqsStatusEventPublisher } from '../shared/queue/sqs-queues.ts';
import { adminKey, apiCaller, CODES_CAMPAIGN, highThroughputBody, liveCampaign } from './api.ts';
import { queueDrained } from './queue.ts';
import { rawBaseline } from './raw-baseline.ts';
import { requestPathRows } from './request-path.ts';

/**
 * `npm run bench`: Herald's hot path on the embedded runtime (engines, gateway, handlers and the
 * dispatch poller all in this one process). Prints figures; asserts nothing. Bounded: a few hundred
 * requests per row, loopback only.
 */
// The functions' log level, parsed from this environment by startHerald: benches measure, they do not read logs.
process.env.HERALD_LOG_LEVEL ??= 'ERROR';
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map(Number);
// BENCH_WEBHOOKS_ONLY=1: the webhook rows alone (the request rows skipped).
const WEBHOOKS_ONLY = process.env.BENCH_WEBHOOKS_ONLY === '1';
// BENCH_WEBHOOK_ROWS=alone (or burst,steady, …): which webhook rows run (all three by default), e.g.
// to profile the feedback worker alone with --cpu-prof.
const WEBHOOK_ROWS = new Set((process.env.BENCH_WEBHOOK_ROWS ?? 'burst,alone,steady').split(','));
// BENCH_UNITARY_ONLY=1: the raw minimum and the 1-recipient unitary rows alone (for profiling them
// with `--cpu-prof`, and for comparing the ratio without the other rows' load between them).
const UNITARY_ONLY = process.env.BENCH_UNITARY_ONLY === '1';
// BENCH_ROUNDS=n: the raw minimum and 1-recipient unitary rows n times in turn (ratios: the median).
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));

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

let stopped = false;
try {
  const key = await adminKey(call, herald.rootKey ?? '', 'bench');
  for (let i = 0; i < 20; i++) {
    await call('PUT', '/profiles', key, {
      identities: [{ namespace: 'email', id: `member${i}@example.com` }],
      attributes: { n: i },
    });
  }
  const campaign = await liveCampaign(call, key, {
    name: 'bench',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    content: { subject: 'Hello {{profile.n}}', html: '<p>{{context.code}}</p>' },
  });
  const codes = await liveCampaign(call, key, CODES_CAMPAIGN);
  // Warm-up, outside the rows: the first trigger loads the executions handler and the dispatch
  // worker (a cold start, the raw minimum has none), and the raw minimum's code runs a few times too.
  const warmed = performance.now();
  await call('POST', '/im/executions/unitary', key, {
    requestId: 'bench-warm-unitary',
    campaignId: campaign,
    recipients: [{ type: 'aep', userId: 'member0@example.com', namespace: 'email', context: { code: 'w' } }],
  });
  await call('POST', '/im/executions/highthroughput', key, {
    requestId: 'bench-warm-highthroughput',
    campaignId: codes,
    recipients: [
      {
        type: 'external',
        userId: 'member0@example.com',
        channelData: { emailAddress: 'member0@example.com' },
      },
    ],
  });
  await queueDrained(sqs, herald.queueUrls.DISPATCH_QUEUE_URL ?? '', warmed);
  await rawBaseline(herald, 10, 1, 'warm');
  await rawBaseline(herald, 10, 1, 'warm-full', { overHttp: true, duties: true });

  console.log(
    `Herald bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(
    `${CALLS} requests per row; embedded dynalite + fauxqs + gateway + dispatch poller in one process\n`,
  );
  console.log(
    'route                        recip  conc   calls/s  recipients/s  p50 ms  p99 ms  all sent after  cpu ms/call  requests/call',
  );
  // The process's CPU time (user + system: engines, gateway, handlers, pollers) from a row's start
  // until all was sent, per call: what a call costs the core, which the other helpers' load on a
  // shared machine moves far less than it moves calls/s.
  // And the HTTP requests made in the process per call (node:http clients: the SDK's calls, the
  // pollers', the embedded engines' own), counted by the diagnostics channel: the pipeline's work
  // in calls, which no other load on the machine moves.
  let httpRequests = 0;
  diagnostics.subscribe('http.client.request.start', () => {
    httpRequests++;
  });
  const meter = () => ({ usage: process.cpuUsage(), requests: httpRequests });
  const cpuPerCall = (since: ReturnType<typeof meter>) => {
    const used = process.cpuUsage(since.usage);
    return {
      cpuMs: (used.user + used.system) / 1000 / CALLS,
      requests: (httpRequests - since.requests) / CALLS,
    };
  };
  const row = (
    name: string,
    recipients: number,
    concurrency: number,
    r: { latencies: number[]; wallMs: number },
    sentMs?: number,
    cost?: { cpuMs: number; requests: number },
  ) =>
    console.log(
      `${name.padEnd(28)} ${String(recipients).padStart(5)} ${String(concurrency).padStart(5)} ${((CALLS / r.wallMs) * 1000).toFixed(0).padStart(9)} ${(((CALLS * recipients) / r.wallMs) * 1000).toFixed(0).padStart(13)} ${percentile(r.latencies, 50).toFixed(1).padStart(7)} ${percentile(r.latencies, 99).toFixed(1).padStart(7)}  ${(sentMs === undefined ? '-' : `${(sentMs / 1000).toFixed(2)} s`).padStart(14)}  ${cost === undefined ? '-' : `${cost.cpuMs.toFixed(2).padStart(11)} ${cost.requests.toFixed(1).padStart(13)}`}`,
    );

  for (const concurrency of WEBHOOKS_ONLY || UNITARY_ONLY ? [] : CONCURRENCY) {
    const cpu = meter();
    const result = await load(CALLS, concurrency, () => call('GET', '/im/health', key));
    row('GET /im/health (ceiling)', 0, concurrency, result, undefined, cpuPerCall(cpu));
  }
  let run = 0;
  /** A unitary row: CALLS triggers of `recipients` recipients; returns calls/s and CPU ms/call. */
  const unitaryRow = async (recipients: number, concurrency: number) => {
    run++;
    const cpu = meter();
    const started = performance.now();
    const result = await load(CALLS, concurrency, (i) =>
      call('POST', '/im/executions/unitary', key, {
        requestId: `bench-${run}-${i}`,
        campaignId: campaign,
        recipients: Array.from({ length: recipients }, (_, r) => ({
          type: 'aep',
          userId: `member${(i + r) % 20}@example.com`,
          namespace: 'email',
          context: { code: String(i) },
        })),
      }),
    );
    const sentMs = await queueDrained(sqs, herald.queueUrls.DISPATCH_QUEUE_URL ?? '', started);
    const cost = cpuPerCall(cpu);
    row('POST /im/executions/unitary', recipients, concurrency, result, sentMs, cost);
    return { rate: CALLS / result.wallMs, ...cost };
  };

  // The raw minimum of the same 1-recipient send (bench/raw-baseline.ts), on the same engines, and
  // over HTTP: the same calls behind a bare node:http server, called with the bench's own client (a
  // trigger is an HTTP call, and that client shares the core with Herald). BENCH_ROUNDS rounds of
  // raw, raw over HTTP and the 1-recipient unitary row, in turn at each concurrency: the machine's
  // other load moves between runs, so each ratio is taken within a round, and their median printed.
  type Figures = { rate: number; cpuMs: number; requests: number };
  const rounds = new Map<number, { raw: Figures; rawFull: Figures; unitary: Figures }[]>();
  for (const concurrency of WEBHOOKS_ONLY ? [] : CONCURRENCY) {
    for (let round = 0; round < ROUNDS; round++) {
      const figures: Figures[] = [];
      for (const full of [false, true]) {
        const cpu = meter();
        const tag = `${concurrency}-${round}-${full}`;
        const result = await rawBaseline(herald, CALLS, concurrency, tag, { overHttp: full, duties: full });
        const cost = cpuPerCall(cpu);
        figures.push({ rate: CALLS / result.wallMs, ...cost });
        const name = full ? "raw + Herald's duties (HTTP)" : 'raw minimum (SDK calls only)';
        row(name, 1, concurrency, result, result.sentMs, cost);
      }
      const [raw, rawFull] = figures as [Figures, Figures];
      rounds.set(concurrency, [
        ...(rounds.get(concurrency) ?? []),
        { raw, rawFull, unitary: await unitaryRow(1, concurrency) },
      ]);
    }
  }
  for (const recipients of WEBHOOKS_ONLY || UNITARY_ONLY ? [] : [20]) {
    for (const concurrency of CONCURRENCY) await unitaryRow(recipients, concurrency);
  }
  for (const recipients of WEBHOOKS_ONLY || UNITARY_ONLY ? [] : [1, 20]) {
    // High-throughput beside it: external recipients, no profile read, one enqueue per call.
    for (const concurrency of CONCURRENCY) {
      run++;
      const cpu = meter();
      const started = performance.now();
      const result = await load(CALLS, concurrency, (i) =>
        call(
          'POST',
          '/im/executions/highthroughput',
          key,
          highThroughputBody(codes, `bench-${run}-${i}`, i, recipients),
        ),
      );
      const sentMs = await queueDrained(sqs, herald.queueUrls.DISPATCH_QUEUE_URL ?? '', started);
      row('POST …/highthroughput', recipients, concurrency, result, sentMs, cpuPerCall(cpu));
    }
  }

  if (!WEBHOOKS_ONLY) {
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
    };
    const ratio = (
      label: string,
      pick: (r: { raw: Figures; rawFull: Figures; unitary: Figures }) => number,
    ) =>
      console.log(
        `${label}: ${CONCURRENCY.map((c) => {
          const values = (rounds.get(c) ?? []).map(pick);
          return `c${c} ${median(values).toFixed(2)}${values.length > 1 ? ` (${values.map((v) => v.toFixed(2)).join(', ')})` : ''}`;
        }).join('  ')}`,
      );
    console.log(`\n1-recipient ratios${ROUNDS > 1 ? `, median of ${ROUNDS} rounds (each round's)` : ''}:`);
    ratio('unitary ÷ raw minimum (calls/s)', (r) => r.unitary.rate / r.raw.rate);
    ratio("unitary ÷ raw + Herald's duties (calls/s)", (r) => r.unitary.rate / r.rawFull.rate);
    // The same ratios from the CPU each call costs (raw's ÷ Herald's): the core is the bound here.
    ratio('raw minimum ÷ unitary (cpu ms/call)', (r) => r.raw.cpuMs / r.unitary.cpuMs);
    ratio("raw + Herald's duties ÷ unitary (cpu ms/call)", (r) => r.rawFull.cpuMs / r.unitary.cpuMs);
    ratio('raw minimum ÷ unitary (requests/call)', (r) => r.raw.requests / r.unitary.requests);
    ratio("raw + Herald's duties ÷ unitary (requests/call)", (r) => r.rawFull.requests / r.unitary.requests);
  }

  // Webhook delivery: status events of webhook-enabled triggers to a local receiver.
  if (!UNITARY_ONLY) await webhookRows(key);

  // The high-throughput request path with the cores to itself (dispatch after it), in a runtime of its own.
  await herald.stop();
  stopped = true;
  if (!WEBHOOKS_ONLY && !UNITARY_ONLY)
    await requestPathRows({ calls: CALLS, concurrency: CONCURRENCY, load, row });
} finally {
  if (!stopped) await herald.stop();
}

async function webhookRows(key: string) {
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
    const webhook = (await call('POST', '/webhooks', key, {
      name: 'bench',
      url: `http://127.0.0.1:${port}/hook`,
    })) as { id: string };
    const hooked = await liveCampaign(call, key, {
      name: 'bench-webhooks',
      category: 'transactional',
      channel: 'email',
      identityNamespace: 'email',
      enableWebhooks: true,
      content: { subject: 'Hello {{profile.n}}', text: 'x' },
    });
    /**
     * Waits until `expected` events have arrived (or 5 min), then summarizes those since `from`,
     * with the process's CPU time per event since `cpu` (everything runs in this one process: the
     * figure a busy shared machine moves least).
     */
    const received = async (expected: number, from: number, cpu: NodeJS.CpuUsage) => {
      const deadline = Date.now() + 300_000;
      const mine = () => [...receipts.values()].filter((r) => r.at >= from);
      while (mine().length < expected && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const all = mine();
      const times = all.map((r) => r.at);
      const delays = all.map((r) => r.delayMs).sort((a, b) => a - b);
      const spanS = (Math.max(...times) - Math.min(...times)) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000 / Math.max(all.length, 1);
      return `events received ${all.length}/${expected}  events/s ${(all.length / spanS).toFixed(0)}  status change → receipt p50 ${(percentile(delays, 50) / 1000).toFixed(2)} s  p99 ${(percentile(delays, 99) / 1000).toFixed(2)} s  CPU ${cpuMs.toFixed(2)} ms/event`;
    };
    const recipients = (count: number) =>
      Array.from({ length: count }, (_, r) => ({
        type: 'aep',
        userId: `member${r}@example.com`,
        namespace: 'email',
      }));

    // A burst: WEBHOOK_CALLS triggers of 20 recipients at concurrency 8, as fast as they go.
    const burstFrom = Date.now();
    const burstCpu = process.cpuUsage();
    if (WEBHOOK_ROWS.has('burst')) {
      await load(WEBHOOK_CALLS, 8, (i) =>
        call('POST', '/im/executions/unitary', key, {
          requestId: `bench-webhooks-${i}`,
          campaignId: hooked,
          recipients: recipients(20),
        }),
      );
      console.log(
        `\nwebhook delivery (one feedback worker, ${WEBHOOK_CALLS} triggers × 20 recipients × 2 statuses, a burst)`,
      );
      console.log(await received(WEBHOOK_CALLS * 20 * 2, burstFrom, burstCpu));
    }

    // The feedback worker alone: as many status events published straight to its queue (ten to a
    // SendMessageBatch, as dispatch publishes them), nothing else running. The delay counts from
    // the event's publication.
    if (WEBHOOK_ROWS.has('alone')) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const aloneFrom = Date.now();
      const aloneCpu = process.cpuUsage();
      const publisher = new SqsStatusEventPublisher(sqs, herald.queueUrls.FEEDBACK_QUEUE_URL ?? '');
      const backlog = WEBHOOK_CALLS * 20 * 2;
      for (let start = 0; start < backlog; start += 100) {
        const timestamp = new Date().toISOString();
        await publisher.publish(
          Array.from({ length: Math.min(100, backlog - start) }, (_, i) => ({
            kind: 'status-event' as const,
            eventId: uuidv7(),
            sandbox: 'bench',
            executionId: uuidv7(),
            requestId: `bench-alone-${start + i}`,
            campaignId: hooked,
            campaignVersion: 1,
            campaignType: 'transactional' as const,
            channel: 'email' as const,
            messageId: uuidv7(),
            userId: `member${i % 20}@example.com`,
            namespace: 'email',
            status: 'sent' as const,
            timestamp,
          })),
        );
      }
      console.log(
        `webhook delivery, the feedback worker alone (${backlog} status events published to its queue)`,
      );
      console.log(await received(backlog, aloneFrom, aloneCpu));
    }

    // A steady rate: one 1-recipient trigger (2 status events) every 2000/STEADY_RATE ms, open loop
    // (a slow answer does not delay the next call), for STEADY_SECONDS.
    const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 30);
    const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 50);
    if (STEADY_SECONDS > 0 && WEBHOOK_ROWS.has('steady')) {
      // After the burst has drained, so the row measures the steady rate alone.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const steadyFrom = Date.now();
      const steadyCpu = process.cpuUsage();
      const triggers = Math.round((STEADY_SECONDS * STEADY_RATE) / 2);
      const calls: Promise<unknown>[] = [];
      const start = performance.now();
      for (let i = 0; i < triggers; i++) {
        const due = start + (i * 2000) / STEADY_RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        calls.push(
          call('POST', '/im/executions/unitary', key, {
            requestId: `bench-steady-${i}`,
            campaignId: hooked,
            recipients: recipients(1),
          }),
        );
      }
      await Promise.all(calls);
      console.log(
        `webhook delivery at a steady ${STEADY_RATE} events/s for ${STEADY_SECONDS} s (${triggers} triggers × 1 recipient × 2 statuses)`,
      );
      console.log(await received(triggers * 2, steadyFrom, steadyCpu));
    }

    // The first page of that webhook's attempt log: one query per shard of its layout (ADR 0022,
    // 0033), whatever the number of attempts logged.
    const pages: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await call('GET', `/webhooks/${webhook.id}/attempts?limit=25`, key);
      pages.push(performance.now() - t0);
    }
    pages.sort((a, b) => a - b);
    console.log(
      `attempt log, first page of 25: median ${percentile(pages, 50).toFixed(0)} ms (of 5; min ${(pages[0] ?? 0).toFixed(0)} ms)`,
    );
  } finally {
    receiver.close();
  }
}
