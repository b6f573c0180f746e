import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createHandler as createDispatchHandler } from '../functions/workers/dispatch.ts';
import { startQueuePoller } from '../infra/local/queue-poller.ts';
import { startHerald } from '../infra/local/runtime.ts';
import { type QueueDefinition, queueDefinitions } from '../shared/definitions/queues.ts';
import { keys } from '../shared/store/keys.ts';
import { nextSlot } from '../shared/store/slot-ledger.ts';
import { adminKey, apiCaller, liveCampaign } from './api.ts';
import { startTableProcess } from './table-process.ts';

/**
 * A channel configuration's `rateLimitPerSec` through the whole local dispatch path, for the SMTP
 * and SMS benches: unitary triggers through the API against a configuration with that limit, all
 * queued first (so the triggers' speed does not limit the rate), then the runtime's dispatch
 * poller (4 batches of 10 jobs in flight) over the real handler; the DynamoDB engine in its own
 * process. The receiving end (an SMTP sink, a recorder in front of moto) notes each message's
 * arrival under a key of its own (its Message-ID, its text); `summary` says how the arrivals kept
 * to the rate.
 */

/** Where the messages arrive: the first arrival (epoch ms) of each key, and every arrival counted. */
export interface Arrivals {
  readonly arrivals: Map<string, number>;
  received(): number;
}

/** What one paced run sends through, and how. */
export interface PacedRun {
  /** The channel configuration's body, without its name and rate (POST /channel-configurations). */
  readonly provider: Record<string, unknown>;
  readonly channel: 'email' | 'sms';
  /** The campaign's identity namespace, and its content (`{{context.n}}` numbers the messages). */
  readonly identityNamespace: string;
  readonly content: Record<string, string>;
  /** The i-th recipient's identity (one profile each, reused by every call). */
  readonly identity: (i: number) => string;
  /** Ledger slots one message takes: 1, or an SMS's parts (the rate counts parts). */
  readonly slotsPerMessage: number;
  readonly rate: number;
  readonly seconds: number;
  readonly recipientsPerCall: number;
  /** Fresh for the run: its arrivals are this run's messages, one key each. */
  readonly sink: Arrivals;
  /** Extra environment for the runtime (a provider's endpoint). */
  readonly environment?: Record<string, string>;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const dispatchDefinition: QueueDefinition = (() => {
  const definition = queueDefinitions.find((q) => q.name === 'dispatch');
  if (!definition) throw new Error('no dispatch queue definition');
  return definition;
})();

/**
 * The dispatch worker over the real handler, for a runtime started without its own dispatch
 * poller (`queues` without `dispatchDefinition`): the bench decides when dispatch runs.
 */
export async function startDispatchPoller(herald: Awaited<ReturnType<typeof startHerald>>) {
  const { sqs } = herald.clients;
  const queueUrl = herald.queueUrls[dispatchDefinition.envVar] ?? '';
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const handler = createDispatchHandler(herald.config, herald.clients);
  return startQueuePoller({
    client: sqs,
    queueUrl,
    queueArn: Attributes.QueueArn ?? queueUrl,
    definition: dispatchDefinition,
    handler: () => Promise.resolve(handler),
    onError: (error) => console.error('dispatch worker:', error),
  });
}

/** Sends `rate × seconds ÷ slotsPerMessage` messages through a fresh runtime; how they arrived. */
export async function pacedDispatch(run: PacedRun) {
  const total = Math.floor((run.rate * run.seconds) / run.slotsPerMessage);
  const calls = Math.ceil(total / run.recipientsPerCall);
  const table = await startTableProcess();
  const herald = await startHerald({
    metricsSink: () => {},
    port: 0,
    dataDir: null,
    schedulerIntervalMs: 0,
    log: process.env.BENCH_DEBUG === '1' ? (line: string) => console.error(line) : () => {},
    // The runtime's own dispatch poller is off: one is started over the real handler once every job is queued.
    queues: queueDefinitions.filter((q) => q !== dispatchDefinition),
    environment: { ...process.env, ...table.environment, ...run.environment },
  });
  try {
    const { sqs, dynamodb } = herald.clients;
    const dispatchUrl = herald.queueUrls[dispatchDefinition.envVar] ?? '';
    const call = apiCaller(herald.url);
    const queued = async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: dispatchUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const visible = Number(Attributes.ApproximateNumberOfMessages);
      return {
        visible,
        total:
          visible +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
          Number(Attributes.ApproximateNumberOfMessagesDelayed),
      };
    };

    const key = await adminKey(call, herald.rootKey ?? '', 'bench');
    for (let i = 0; i < run.recipientsPerCall; i++) {
      await call('PUT', '/profiles', key, {
        identities: [{ namespace: run.identityNamespace, id: run.identity(i) }],
      });
    }
    const configuration = (await call('POST', '/channel-configurations', key, {
      name: `bench ${run.rate}/s`,
      channel: run.channel,
      provider: run.provider,
      rateLimitPerSec: run.rate,
    })) as { id: string };
    const campaign = await liveCampaign(call, key, {
      name: `bench ${run.rate}/s`,
      category: 'transactional',
      channel: run.channel,
      identityNamespace: run.identityNamespace,
      channelConfigurationId: configuration.id,
      content: run.content,
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < calls) {
          const i = next++;
          const size = Math.min(run.recipientsPerCall, total - i * run.recipientsPerCall);
          await call('POST', '/im/executions/unitary', key, {
            requestId: `paced-${run.rate}-${i}`,
            campaignId: campaign,
            recipients: Array.from({ length: size }, (_, r) => ({
              type: 'aep',
              userId: run.identity(r),
              namespace: run.identityNamespace,
              context: { n: i * run.recipientsPerCall + r },
            })),
          });
        }
      }),
    );
    while ((await queued()).visible < calls) await pause(100);

    const poller = await startDispatchPoller(herald);
    const started = Date.now();
    try {
      while (run.sink.arrivals.size < total && Date.now() - started < (run.seconds * 3 + 60) * 1000)
        await pause(100);
      while ((await queued()).total > 0) await pause(100);
    } finally {
      await poller.stop();
    }
    const booked = await nextSlot(dynamodb, herald.tableName, keys.providerLedger('bench', configuration.id));
    return summary(run.sink, total, started, booked, run.slotsPerMessage);
  } finally {
    await herald.stop();
    table.stop();
  }
}

export type PacingSummary = ReturnType<typeof summary>;

/**
 * How the arrivals kept to the rate: first to last, the middle 80 %, the busiest second — in
 * ledger slots a second (messages × `slotsPerMessage`), the unit the limit is set in.
 */
export function summary(
  sink: Arrivals,
  total: number,
  started: number,
  booked: number | undefined,
  slotsPerMessage = 1,
) {
  const times = [...sink.arrivals.values()].sort((a, b) => a - b);
  const first = times[0] ?? 0;
  const last = times.at(-1) ?? 0;
  const measured = ((times.length - 1) * 1000 * slotsPerMessage) / Math.max(last - first, 1);
  // The middle 80 % of the messages: without the start, where the first jobs' messages leave
  // together once the worker and the engine catch up with their slots, and without the tail.
  const low = Math.floor(times.length * 0.1);
  const high = Math.max(Math.ceil(times.length * 0.9) - 1, low + 1);
  const middleRate =
    ((high - low) * 1000 * slotsPerMessage) / Math.max((times[high] ?? 0) - (times[low] ?? 0), 1);
  let busiest = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while ((times[j] ?? 0) - (times[i] ?? 0) >= 1000) i++;
    busiest = Math.max(busiest, (j - i + 1) * slotsPerMessage);
  }
  if (process.env.BENCH_HISTOGRAM === '1' || process.env.BENCH_SMTP_HISTOGRAM === '1') {
    const perSecond = new Array<number>(Math.ceil((last - first + 1) / 1000)).fill(0);
    for (const t of times)
      perSecond[Math.floor((t - first) / 1000)] = (perSecond[Math.floor((t - first) / 1000)] ?? 0) + 1;
    console.log(`    messages in each second from the first: ${perSecond.join(' ')}`);
  }
  return {
    total,
    arrived: times.length,
    duplicates: sink.received() - times.length,
    measured,
    middleRate,
    busiest,
    spanS: (last - first) / 1000,
    bookedS: booked ? (booked - first) / 1000 : Number.NaN,
    allSentS: (last - started) / 1000,
  };
}

/** One printed row: the target, what was measured, and whether it is within 5 %. */
export function pacingRow(rate: number, r: PacingSummary, unit = 'messages') {
  const off = (value: number) => {
    const deviation = ((value - rate) / rate) * 100;
    return `${deviation >= 0 ? '+' : ''}${deviation.toFixed(1)} %`;
  };
  const within = (value: number) => (Math.abs((value - rate) / rate) <= 0.05 ? 'within' : 'NOT within');
  console.log(
    `  target ${String(rate).padStart(4)} ${unit}/s: measured ${r.measured.toFixed(1).padStart(6)}/s (${off(r.measured)}, ${within(r.measured)} 5 %), middle 80 % ${r.middleRate.toFixed(1)}/s (${off(r.middleRate)}, ${within(r.middleRate)} 5 %); ${r.arrived}/${r.total} messages over ${r.spanS.toFixed(1)} s (ledger booked to ${r.bookedS.toFixed(1)} s), busiest second ${r.busiest} ${unit}, ${r.duplicates} duplicates, the last ${r.allSentS.toFixed(1)} s after the start`,
  );
}
