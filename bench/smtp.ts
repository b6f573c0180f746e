import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SMTPServer } from 'smtp-server';
import { startHerald } from '../infra/local/runtime.ts';
import { DEFAULT_MAX_CONNECTIONS, SmtpProvider } from '../shared/channels/smtp-provider.ts';
import type { OutgoingMessage } from '../shared/domain/channel.ts';
import { keys } from '../shared/store/keys.ts';
import { DynamoDbSendLedger, nextSlot } from '../shared/store/slot-ledger.ts';
import { PACE_WINDOW_MS } from '../shared/use-cases/dispatch.ts';
import { pacedDispatch, pacingRow, pause, summary } from './paced-dispatch.ts';
import { startTableProcess } from './table-process.ts';

/**
 * `npm run bench` (last part; `npm run bench:smtp` alone): email through Herald's SMTP provider.
 * Prints figures; asserts nothing. BENCH_SMTP_HISTOGRAM=1 adds the messages of each second.
 *
 * 1. Throughput: BENCH_SMTP_MESSAGES (500) messages handed to one SmtpProvider at once, with a
 *    pool of one connection and with the pool size dispatch uses (DEFAULT_MAX_CONNECTIONS), to an
 *    SMTP server (smtp-server) in this process that reads each message to its end.
 * 2. `rateLimitPerSec` at BENCH_SMTP_RATES (50, 200 and 500/s), BENCH_SMTP_RATE_SECONDS (20)
 *    seconds' worth of messages each, arrivals timed by an SMTP server in its own process
 *    (bench/smtp-sink-process.ts), the DynamoDB engine in another (as in bench/fanout.ts):
 *    a. through dispatch: unitary triggers through the API against an SMTP channel configuration
 *       with that limit, all queued first (so the triggers' speed does not limit the rate), then
 *       the runtime's dispatch poller (4 batches of 10 jobs in flight) over the real handler;
 *    b. the slot ledger alone: the same booking protocol in the real store, real sleeps and the
 *       SMTP provider, without dispatch's reads, claims and status writes.
 */
// The functions' log level, parsed from this environment by startHerald: benches measure, they do not read logs.
process.env.HERALD_LOG_LEVEL ??= 'ERROR';
const MESSAGES = Number(process.env.BENCH_SMTP_MESSAGES ?? 500);
const RATES = (process.env.BENCH_SMTP_RATES ?? '50,200,500').split(',').map(Number);
const RATE_SECONDS = Number(process.env.BENCH_SMTP_RATE_SECONDS ?? 20);
const RECIPIENTS_PER_CALL = 20;
/** Jobs paced at once: the local dispatch poller's 4 batches of 10. */
const JOBS_IN_FLIGHT = 40;

interface Sink {
  readonly port: number;
  /** Arrival (epoch ms) by Message-ID, in arrival order. */
  readonly arrivals: Map<string, number>;
  /** Messages received, duplicates included. */
  received(): number;
  connections(): number;
  reset(): void;
  close(): Promise<void>;
}

/** A minimal SMTP server: reads each message to its end, notes its Message-ID and arrival time. */
async function startSink(): Promise<Sink> {
  const arrivals = new Map<string, number>();
  let received = 0;
  let connections = 0;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 1_000,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const at = Date.now();
        received += 1;
        const head = Buffer.concat(chunks).toString('latin1', 0, 4096);
        const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? `(none ${received})`;
        if (!arrivals.has(id)) arrivals.set(id, at);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('the sink has no port');
  return {
    port: address.port,
    arrivals,
    received: () => received,
    connections: () => connections,
    reset() {
      arrivals.clear();
      received = 0;
      connections = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const HTML = `<p>Hi Ada,</p><p>${'Your order has shipped — track it any time. 📦 '.repeat(20)}</p>`;
const TEXT = `Hi Ada,\n\n${'Your order has shipped — track it any time. 📦 '.repeat(20)}\n`;

function message(): OutgoingMessage {
  return {
    sandbox: 'bench',
    executionId: randomUUID(),
    messageId: randomUUID(),
    channel: 'email',
    campaignType: 'transactional',
    to: 'ada@example.org',
    content: { subject: '🎉 Your order has shipped', text: TEXT, html: HTML },
  };
}

/** Herald's SMTP provider to a sink on loopback, as a channel configuration would make it. */
function benchProvider(port: number, maxConnections?: number): SmtpProvider {
  return new SmtpProvider(
    {
      id: randomUUID(),
      revision: 1,
      host: '127.0.0.1',
      port,
      secure: false,
      fromAddress: 'shop@example.com',
      fromName: 'Bench Shop',
      ...(maxConnections !== undefined ? { maxConnections } : {}),
    },
    { isAllowed: (address) => address === '127.0.0.1' },
  );
}

/** Part 1: MESSAGES sends handed to the provider at once, as a dispatch job sends side by side. */
async function throughput(sink: Sink, maxConnections: number | undefined) {
  sink.reset();
  const provider = benchProvider(sink.port, maxConnections);
  try {
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: MESSAGES }, () => provider.send(message(), new Date())),
    );
    const seconds = (performance.now() - started) / 1000;
    const accepted = outcomes.filter((o) => o.kind === 'accepted').length;
    return { seconds, accepted, perSecond: accepted / seconds, connections: sink.connections() };
  } finally {
    await provider.close();
  }
}

const sink = await startSink();
console.log(
  `Herald SMTP bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; SMTP server (smtp-server) in this process on loopback\n`,
);
console.log(`SMTP provider throughput, ${MESSAGES} messages (~2.5 KB, text + HTML) handed over at once`);
const one = await throughput(sink, 1);
const pooled = await throughput(sink, undefined);
const throughputRow = (label: string, r: Awaited<ReturnType<typeof throughput>>) =>
  console.log(
    `  ${label.padEnd(30)} ${r.perSecond.toFixed(0).padStart(6)} messages/s  (${r.accepted}/${MESSAGES} accepted in ${r.seconds.toFixed(2)} s, ${r.connections} SMTP connections opened)`,
  );
throughputRow('maxConnections 1', one);
throughputRow(`maxConnections ${DEFAULT_MAX_CONNECTIONS} (the default)`, pooled);

// Part 2: the dispatch worker's pacing, one fresh runtime per rate (bench/paced-dispatch.ts).

/** The receiving end in its own process (bench/smtp-sink-process.ts), off the sender's core. */
async function startChildSink(): Promise<Sink> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'smtp-sink-process.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const arrivals = new Map<string, number>();
  let received = 0;
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', () => reject(new Error('the SMTP sink process exited')));
    lines.on('line', (line) => {
      const [first = '', id = ''] = line.split(' ');
      if (first === 'listening') return resolve(Number(id));
      received += 1;
      if (!arrivals.has(id)) arrivals.set(id, Number(first));
    });
  });
  return {
    port,
    arrivals,
    received: () => received,
    connections: () => Number.NaN,
    reset() {
      arrivals.clear();
      received = 0;
    },
    async close() {
      const exited = once(child, 'exit');
      child.stdin?.end();
      await exited;
    },
  };
}

async function pacing(rate: number) {
  const sink = await startChildSink();
  try {
    return await pacedDispatch({
      rate,
      seconds: RATE_SECONDS,
      recipientsPerCall: RECIPIENTS_PER_CALL,
      sink,
      channel: 'email',
      provider: {
        type: 'smtp',
        host: '127.0.0.1',
        port: sink.port,
        secure: false,
        fromAddress: 'shop@example.com',
        fromName: 'Bench Shop',
      },
      identityNamespace: 'email',
      identity: (i) => `member${i}@example.com`,
      content: { subject: '🎉 Order {{context.n}} has shipped', text: TEXT, html: HTML },
      slotsPerMessage: 1,
    });
  } finally {
    await sink.close();
  }
}

/**
 * The slot ledger alone, without the rest of dispatch (no message reads, claims or status writes):
 * JOBS_IN_FLIGHT jobs of RECIPIENTS_PER_CALL at a time do what a paced dispatch job does — read
 * the ledger, take as many slots as fit in PACE_WINDOW_MS (wait, as a re-queued job would, when
 * none fit), reserve them in the real store, sleep to each slot and send it through the SMTP
 * provider (the default pool) to the sink in its own process.
 */
async function ledgerPacing(rate: number) {
  const total = rate * RATE_SECONDS;
  const table = await startTableProcess();
  const sink = await startChildSink();
  const herald = await startHerald({
    metricsSink: () => {},
    port: 0,
    dataDir: null,
    schedulerIntervalMs: 0,
    log: () => {},
    queues: [],
    environment: { ...process.env, ...table.environment },
  });
  const provider = benchProvider(sink.port);
  try {
    const ledger = new DynamoDbSendLedger(herald.clients.dynamodb, herald.tableName);
    const configurationId = randomUUID();
    let remaining = total;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: JOBS_IN_FLIGHT }, async () => {
        while (remaining > 0) {
          const size = Math.min(RECIPIENTS_PER_CALL, remaining);
          remaining -= size;
          let left = size;
          while (left > 0) {
            const now = Date.now();
            const booked = Math.max((await ledger.next('bench', configurationId)) ?? now, now);
            const count = Math.min(
              left,
              Math.max(Math.floor(((now + PACE_WINDOW_MS - booked) * rate) / 1000), 0),
            );
            if (count === 0) {
              // dispatch queues such a job again, delayed by whole seconds until the booked slots end
              await pause(Math.max(1, Math.ceil((booked - now) / 1000) - 1) * 1000);
              continue;
            }
            left -= count;
            const start = await ledger.reserve('bench', configurationId, count, rate, now);
            await Promise.all(
              Array.from({ length: count }, async (_, i) => {
                const wait = start + Math.round((i * 1000) / rate) - Date.now();
                if (wait > 0) await pause(wait);
                const outcome = await provider.send(message(), new Date());
                if (outcome.kind !== 'accepted') throw new Error(`not sent: ${JSON.stringify(outcome)}`);
              }),
            );
          }
        }
      }),
    );
    while (sink.arrivals.size < total) await pause(50);
    const booked = await nextSlot(
      herald.clients.dynamodb,
      herald.tableName,
      keys.providerLedger('bench', configurationId),
    );
    return summary(sink, total, started, booked);
  } finally {
    await provider.close();
    await herald.stop();
    table.stop();
    await sink.close();
  }
}

await sink.close();
console.log(
  `\nrateLimitPerSec through dispatch (${RATE_SECONDS} s of messages per rate in jobs of ${RECIPIENTS_PER_CALL}; the dispatch poller, 4 batches in flight; the DynamoDB engine and the SMTP server each in their own process)`,
);
for (const rate of RATES) pacingRow(rate, await pacing(rate));
console.log(
  `\nrateLimitPerSec, the slot ledger alone (${JOBS_IN_FLIGHT} jobs of ${RECIPIENTS_PER_CALL} in flight; ledger in the DynamoDB engine, SMTP provider to the sink, each in their own process)`,
);
for (const rate of RATES) pacingRow(rate, await ledgerPacing(rate));
