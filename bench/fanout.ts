import os from 'node:os';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startHerald } from '../infra/local/runtime.ts';
import { MEMBER_SHARDS, memberShard } from '../shared/domain/audience.ts';
import { uuidv7 } from '../shared/domain/ids.ts';
import { keys } from '../shared/store/keys.ts';
import { queryPages } from '../shared/store/query-all.ts';
import { adminKey, apiCaller } from './api.ts';
import { startTableProcess } from './table-process.ts';

/**
 * `npm run bench` (second part): audience fan-out on the embedded runtime. Seeds an audience
 * straight into the table (setup, not measured), then measures a run: time until every member is
 * queued or excluded, time until every message is sent, and how closely the throttle holds at 50
 * and 500 messages/s. Sizes: BENCH_AUDIENCE (100000), BENCH_THROTTLE_SECONDS (30).
 */
// The functions' log level, parsed from this environment by startHerald: benches measure, they do not read logs.
process.env.HERALD_LOG_LEVEL ??= 'ERROR';
const AUDIENCE = Number(process.env.BENCH_AUDIENCE ?? 100_000);
const THROTTLE_SECONDS = Number(process.env.BENCH_THROTTLE_SECONDS ?? 30);

// The DynamoDB engine runs in a child process, so that the engine and the workers each get a core
// (BENCH_ONE_PROCESS=1 keeps everything in this one).
const table = process.env.BENCH_ONE_PROCESS === '1' ? undefined : await startTableProcess();
const herald = await startHerald({
  metricsSink: () => {},
  port: 0,
  dataDir: null,
  schedulerIntervalMs: 0,
  log: () => {},
  ...(table
    ? {
        environment: { ...process.env, ...table.environment },
      }
    : {}),
});
// The runtime's own clients (it stops them).
const { dynamodb: documents, sqs } = herald.clients;

const call = apiCaller(herald.url);

/** Profiles, identities and memberships written directly: the fan-out is what is measured. */
async function seed(sandbox: string, audienceId: string, count: number, tag: string) {
  const at = new Date().toISOString();
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    for (let start = 0; start < batch.length; start += 25) {
      let pending: Record<string, unknown>[] | undefined = batch
        .slice(start, start + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      while (pending && pending.length > 0) {
        const result = await documents.send(
          new BatchWriteCommand({ RequestItems: { [herald.tableName]: pending } }),
        );
        pending = result.UnprocessedItems?.[herald.tableName] as Record<string, unknown>[] | undefined;
      }
    }
    batch = [];
  };
  for (let i = 0; i < count; i++) {
    const profileId = uuidv7();
    const email = `${tag}${i}@example.com`;
    batch.push(
      {
        ...keys.profile(sandbox, profileId),
        type: 'profile',
        sandbox,
        profileId,
        identities: [{ namespace: 'email', id: email }],
        attributes: { n: i },
        consent: { marketing: { email: i % 10 === 9 ? 'n' : 'y' } },
        dataset: 'profiles',
        revision: 1,
        createdAt: at,
        modifiedAt: at,
      },
      {
        ...keys.identity(sandbox, 'email', email),
        type: 'identity',
        sandbox,
        namespace: 'email',
        value: email,
        profileId,
        createdAt: at,
      },
      {
        ...keys.member(sandbox, audienceId, memberShard(profileId), profileId),
        type: 'member',
        profileId,
        addedAt: at,
      },
    );
    if (batch.length >= 3_000) await flush();
  }
  await flush();
}

async function queueDepth(url: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed)
  );
}

/** Every message of a run: status and when it was sent. */
async function messages(sandbox: string, executionId: string) {
  const all: { status: string; sentAt?: number }[] = [];
  await Promise.all(
    Array.from({ length: MEMBER_SHARDS }, (_, shard) =>
      queryPages(
        documents,
        {
          TableName: herald.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.message(sandbox, executionId, '', shard).pk },
        },
        (page) => {
          for (const item of page.Items ?? []) {
            const sent = (item.history as { status: string; at: string }[]).find((h) => h.status === 'sent');
            all.push({ status: String(item.status), ...(sent ? { sentAt: Date.parse(sent.at) } : {}) });
          }
        },
      ),
    ),
  );
  return all;
}

async function runOnce(key: string, sandbox: string, members: number, rate: number, tag: string) {
  const audience = (await call('POST', '/audiences', key, { name: tag })) as { id: string };
  const seeded = performance.now();
  await seed(sandbox, audience.id, members, tag);
  const seedS = (performance.now() - seeded) / 1000;
  const campaign = (await call('POST', '/campaigns', key, {
    name: tag,
    category: 'marketing',
    channel: 'email',
    identityNamespace: 'email',
    audience: { id: audience.id },
    throttleRatePerSec: rate,
    content: { subject: 'Sale {{profile.n}}', text: 'x' },
  })) as { id: string };
  await call('POST', `/campaigns/${campaign.id}/activate`, key);
  const started = performance.now();
  const runStartedAt = Date.now();
  const run = (await call('POST', '/im/executions/audience', key, { campaignId: campaign.id })) as {
    executionId: string;
  };
  let queuedAt = 0;
  for (;;) {
    // The run item itself, not the report: the report counts every message and would load the engine.
    const { Item } = await documents.send(
      new GetCommand({ TableName: herald.tableName, Key: keys.audienceExecution(sandbox, run.executionId) }),
    );
    if (Item?.status === 'Succeeded') {
      queuedAt = performance.now();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  while ((await queueDepth(herald.queueUrls.DISPATCH_QUEUE_URL ?? '')) > 0)
    await new Promise((resolve) => setTimeout(resolve, 250));
  const sentAll = performance.now();
  // The execution report counts the run's messages (ADR 0007): what one read of it costs.
  const reportStarted = performance.now();
  const report = (await call('GET', `/im/executions/audience/${run.executionId}`, key)) as {
    targetedProfileCount: number;
  };
  const reportS = (performance.now() - reportStarted) / 1000;
  const all = await messages(sandbox, run.executionId);
  const sentTimes = all.flatMap((m) => (m.sentAt ? [m.sentAt] : [])).sort((a, b) => a - b);
  if (report.targetedProfileCount !== sentTimes.length)
    throw new Error(`the report targets ${report.targetedProfileCount}, ${sentTimes.length} were sent`);
  const sendSpanS = ((sentTimes.at(-1) ?? 0) - (sentTimes[0] ?? 0)) / 1000;
  // The throttle books send slots in a ledger: its end over the run's start is the scheduled rate.
  const ledger = await documents.send(
    new GetCommand({ TableName: herald.tableName, Key: keys.throttleLedger(sandbox, run.executionId) }),
  );
  const scheduledSpanS = (Number(ledger.Item?.nextSlotAt ?? 0) - runStartedAt) / 1000;
  return {
    seedS,
    queueS: (queuedAt - started) / 1000,
    sendS: (sentAll - started) / 1000,
    reportS,
    sent: sentTimes.length,
    excluded: all.filter((m) => m.status === 'exclude').length,
    achieved: sentTimes.length / Math.max(sendSpanS, 0.001),
    scheduled: sentTimes.length / Math.max(scheduledSpanS, 0.001),
  };
}

try {
  const key = await adminKey(call, herald.rootKey ?? '', 'fanout');
  console.log(
    `Herald fan-out bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; embedded engines, ${table ? 'DynamoDB engine in a second process' : 'one process'}`,
  );
  console.log('(every 10th member has no consent and is excluded)\n');
  // BENCH_THROTTLE_SECONDS=0 skips the throttle rows.
  for (const rate of THROTTLE_SECONDS > 0 ? [50, 500] : []) {
    const members = rate * THROTTLE_SECONDS;
    const r = await runOnce(key, 'fanout', members, rate, `t${rate}`);
    const off = (value: number) => `${(((value - rate) / rate) * 100).toFixed(1)} %`;
    console.log(
      `throttle ${String(rate).padStart(4)}/s: ${members} members, ${r.sent} sent, ${r.excluded} excluded; scheduled ${r.scheduled.toFixed(1)}/s (${off(r.scheduled)}), sent ${r.achieved.toFixed(1)}/s (${off(r.achieved)}), all sent after ${r.sendS.toFixed(1)} s`,
    );
  }
  const r = await runOnce(key, 'fanout', AUDIENCE, 2_000, 'big');
  console.log(
    `\nfan-out of ${AUDIENCE} members at up to 2000/s (seeded in ${r.seedS.toFixed(0)} s): all queued or excluded after ${r.queueS.toFixed(1)} s (${(AUDIENCE / r.queueS).toFixed(0)} members/s), all ${r.sent} sent after ${r.sendS.toFixed(1)} s (${(r.sent / r.sendS).toFixed(0)} messages/s), ${r.excluded} excluded; the execution report read in ${r.reportS.toFixed(2)} s`,
  );
} finally {
  await herald.stop();
  table?.stop();
}
