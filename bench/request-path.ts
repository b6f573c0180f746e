import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startHerald } from '../infra/local/runtime.ts';
import { queueDefinitions } from '../shared/definitions/queues.ts';
import { adminKey, apiCaller, CODES_CAMPAIGN, highThroughputBody, liveCampaign } from './api.ts';
import { dispatchDefinition, startDispatchPoller } from './paced-dispatch.ts';
import { queueDrained } from './queue.ts';

/**
 * The high-throughput request path with the cores to itself, as on AWS, where the API function and
 * the dispatch function do not share one (`npm run bench`, after bench/run.ts's rows; prints,
 * asserts nothing). A runtime without its dispatch poller: the authenticated health ceiling and
 * the high-throughput rows run while the jobs only queue up; then a dispatch poller over the real
 * handler sends them all, and "all sent after" is from the row's start to the queue's end. The
 * rows of bench/run.ts measure the same calls with dispatch sharing the process.
 */
export async function requestPathRows(options: {
  readonly calls: number;
  readonly concurrency: readonly number[];
  readonly load: (
    total: number,
    concurrency: number,
    request: (i: number) => Promise<unknown>,
  ) => Promise<{ latencies: number[]; wallMs: number }>;
  readonly row: (
    name: string,
    recipients: number,
    concurrency: number,
    r: { latencies: number[]; wallMs: number },
    sentMs?: number,
  ) => void;
}) {
  const herald = await startHerald({
    port: 0,
    dataDir: null,
    schedulerIntervalMs: 0,
    log: () => {},
    metricsSink: () => {},
    queues: queueDefinitions.filter((q) => q !== dispatchDefinition),
  });
  try {
    const call = apiCaller(herald.url);
    const key = await adminKey(call, herald.rootKey ?? '', 'bench');
    const codes = await liveCampaign(call, key, CODES_CAMPAIGN);
    const trigger = (tag: string, recipients: number) => (i: number) =>
      call(
        'POST',
        '/im/executions/highthroughput',
        key,
        highThroughputBody(codes, `alone-${tag}-${i}`, i, recipients),
      );
    // Warm-up: the first call loads the executions handler.
    await options.load(20, 4, trigger('warm', 1));
    await options.load(20, 4, () => call('GET', '/im/health', key));

    console.log(
      '\nthe request path alone (dispatch held until the row has been called, then run to the end)',
    );
    for (const concurrency of options.concurrency) {
      const health = await options.load(options.calls, concurrency, () => call('GET', '/im/health', key));
      options.row('GET /im/health (ceiling)', 0, concurrency, health);
    }
    // What a high-throughput call cannot do without: its one SendMessage, to the same embedded
    // engine in this process, from the bare SDK client (a queue of its own, a body of about 1 KB),
    // with no HTTP in front of it.
    const { sqs } = herald.clients;
    const { QueueUrl: rawQueue = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'bench-raw-enqueue' }),
    );
    try {
      const body = JSON.stringify({ padding: 'x'.repeat(900) });
      for (const concurrency of options.concurrency) {
        const raw = await options.load(options.calls, concurrency, () =>
          sqs.send(new SendMessageCommand({ QueueUrl: rawQueue, MessageBody: body })),
        );
        options.row('raw enqueue (one SendMessage)', 1, concurrency, raw);
      }
    } finally {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: rawQueue }));
    }
    for (const recipients of [1, 20]) {
      for (const concurrency of options.concurrency) {
        const result = await options.load(
          options.calls,
          concurrency,
          trigger(`${recipients}-${concurrency}`, recipients),
        );
        options.row('POST …/highthroughput', recipients, concurrency, result);
      }
    }
    // Dispatch runs once every row has been called: "all sent after" is then the whole backlog's.
    const dispatchStarted = performance.now();
    const poller = await startDispatchPoller(herald);
    let sentMs: number;
    try {
      sentMs = await queueDrained(
        herald.clients.sqs,
        herald.queueUrls[dispatchDefinition.envVar] ?? '',
        dispatchStarted,
      );
    } finally {
      await poller.stop();
    }
    const messages = options.calls * (1 + 20) * options.concurrency.length;
    console.log(
      `  the ${messages.toLocaleString('en-US')} messages queued by these rows sent in ${(sentMs / 1000).toFixed(2)} s by one dispatch poller after the calls (${((messages / sentMs) * 1000).toFixed(0)} messages/s)`,
    );
  } finally {
    await herald.stop();
  }
}
