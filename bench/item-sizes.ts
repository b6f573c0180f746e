import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { startHerald } from '../infra/local/runtime.ts';
import { adminKey, apiCaller } from './api.ts';
import { dynamoItemBytes } from './dynamodb-size.ts';

/**
 * `npm run cost:sizes`: the sizes docs/cost.md prices, measured on the embedded runtime. One
 * webhook-enabled 20-recipient unitary call (known profiles, a 6-digit code in the context) and
 * one 20-recipient high-throughput call are sent and delivered to a local webhook receiver; then
 * every item of the table is sized by DynamoDB's rules (bench/dynamodb-size.ts) and grouped by
 * kind, and every queue message the handlers sent is sized. Prints the largest of each; bench/cost.ts
 * holds the figures of the last run.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const receiver = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(204).end());
});
receiver.listen(0, '127.0.0.1');
await once(receiver, 'listening');
const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const herald = await startHerald({ port: 0, dataDir: null, schedulerIntervalMs: 0, log: () => {} });
const bodies: { queue: string; bytes: number }[] = [];
function sized<Input extends object, Output extends object>(): InitializeMiddleware<Input, Output> {
  return (next) => async (args) => {
    const input = args.input as {
      QueueUrl?: string;
      MessageBody?: string;
      Entries?: { MessageBody?: string }[];
    };
    const queue = (input.QueueUrl ?? '').split('/').at(-1) ?? '';
    for (const body of [input.MessageBody, ...(input.Entries ?? []).map((e) => e.MessageBody)]) {
      if (body !== undefined) bodies.push({ queue, bytes: Buffer.byteLength(body) });
    }
    return next(args);
  };
}
herald.clients.sqs.middlewareStack.add(sized(), {
  step: 'initialize',
  name: 'herald-size-bodies',
  override: true,
} as const);
const call = apiCaller(herald.url);

try {
  const key = await adminKey(call, herald.rootKey ?? '', 'sizes');
  await call('POST', '/webhooks', key, { name: 'sizes', url: hook, channels: ['email'] });
  for (let i = 0; i < 20; i++) {
    await call('PUT', '/profiles', key, {
      identities: [{ namespace: 'email', id: `member${i}@example.com` }],
      attributes: { firstName: `Member ${i}` },
    });
  }
  const campaign = (await call('POST', '/campaigns', key, {
    name: 'Order confirmation',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    enableWebhooks: true,
    content: {
      subject: 'Your order {{context.code}}',
      html: '<p>Hello {{profile.firstName}}, your order {{context.code}} is confirmed.</p>',
    },
  })) as { id: string };
  await call('POST', `/campaigns/${campaign.id}/activate`, key);
  const codes = (await call('POST', '/campaigns', key, {
    name: 'Codes',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    highThroughput: true,
    enableWebhooks: true,
    content: { subject: 'Your code', html: '<p>Your code is {{context.code}}.</p>' },
  })) as { id: string };
  await call('POST', `/campaigns/${codes.id}/activate`, key);

  await call('POST', '/im/executions/unitary', key, {
    requestId: 'sizes-unitary',
    campaignId: campaign.id,
    recipients: Array.from({ length: 20 }, (_, i) => ({
      type: 'aep',
      userId: `member${i}@example.com`,
      namespace: 'email',
      context: { code: String(100000 + i) },
    })),
  });
  await call('POST', '/im/executions/highthroughput', key, {
    requestId: 'sizes-ht',
    campaignId: codes.id,
    recipients: Array.from({ length: 20 }, (_, i) => ({
      type: 'external',
      userId: `member${i}@example.com`,
      channelData: { emailAddress: `member${i}@example.com` },
      context: { code: String(200000 + i) },
    })),
  });
  // 40 messages × 2 status events, each delivered once: 80 attempts logged.
  const deadline = Date.now() + 60_000;
  let items: Record<string, unknown>[] = [];
  for (;;) {
    items = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await herald.clients.dynamodb.send(
        new ScanCommand({ TableName: herald.tableName, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    if (items.filter((i) => i.type === 'attempt').length >= 80) break;
    if (Date.now() > deadline) throw new Error('the deliveries did not finish within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const byKind = new Map<string, number[]>();
  for (const item of items) {
    const kind = String(item.type ?? 'untyped');
    byKind.set(kind, [...(byKind.get(kind) ?? []), dynamoItemBytes(item)]);
  }
  console.log('item kind            count  largest B  mean B');
  for (const [kind, sizes] of [...byKind].sort()) {
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    console.log(
      `${kind.padEnd(20)} ${String(sizes.length).padStart(5)} ${String(Math.max(...sizes)).padStart(10)} ${mean.toFixed(0).padStart(7)}`,
    );
  }
  console.log('\nqueue                 count  largest B  mean B');
  const queues = new Map<string, number[]>();
  for (const b of bodies) queues.set(b.queue, [...(queues.get(b.queue) ?? []), b.bytes]);
  for (const [queue, sizes] of [...queues].sort()) {
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    console.log(
      `${queue.padEnd(20)} ${String(sizes.length).padStart(5)} ${String(Math.max(...sizes)).padStart(10)} ${mean.toFixed(0).padStart(7)}`,
    );
  }
  // The claim is measured done (its jobs dropped); during the trigger it also held them.
  const claim = items.find((i) => i.type === 'idempotency');
  const dispatchJob = bodies.find((b) => b.queue.includes('dispatch'));
  if (claim && dispatchJob) {
    console.log(
      `\nclaim with its jobs during the trigger ≈ ${dynamoItemBytes(claim) + dispatchJob.bytes + 6} B (done claim + the dispatch job)`,
    );
  }
} finally {
  await herald.stop();
  receiver.close();
}
