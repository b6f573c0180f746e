import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { BatchGetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { HeraldRuntime } from '../infra/local/runtime.ts';
import { queueDrained } from './queue.ts';

/**
 * The raw minimum of a 1-recipient transactional trigger and its dispatch on the same engines as
 * Herald (issue 14, item 3): the store and queue calls such a send cannot do without, made with
 * the bare SDK clients, no HTTP, no validation, no templates, no logging:
 *
 * - request path: one batched read (the key, the campaign, the profile), the trigger transaction
 *   (execution, message, idempotency claim, the claim conditioned on absence), the enqueue, the
 *   claim's completion;
 * - dispatch, by a poller of its own queue running alongside: one batched read (the message, the
 *   profile, the suppression), the provider's copy (the message conditioned on not yet sent), the
 *   status write, the batch delete.
 *
 * `bench/run.ts` prints it beside Herald's unitary rows, and the ratio: how close Herald comes to
 * what the engines allow.
 *
 * With `overHttp`, each trigger is also a request to a bare node:http server in this process, made
 * with the same `fetch` as the bench's calls to Herald and carrying the same JSON body: a trigger is
 * an HTTP call, and the bench's client runs on the core Herald's handlers share, so the raw minimum
 * pays the client's and the server's least work too (the body read and parsed once, a JSON answer;
 * no auth, no validation) (ADR 0034).
 */
export async function rawBaseline(
  herald: HeraldRuntime,
  calls: number,
  concurrency: number,
  runTag: string,
  options: { overHttp?: boolean; duties?: boolean } = {},
) {
  const duties = options.duties === true;
  const { dynamodb, sqs } = herald.clients;
  const table = herald.tableName;
  const { QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: `herald-bench-raw-${runTag}` }),
  );
  const key = (pk: string, sk = pk) => ({ pk, sk });
  await dynamodb.send(new PutCommand({ TableName: table, Item: { ...key('RAW#KEY'), scopes: ['admin'] } }));
  await dynamodb.send(
    new PutCommand({
      TableName: table,
      Item: { ...key('RAW#CAMPAIGN'), content: { subject: 'Hello', html: '<p>code</p>' }, status: 'live' },
    }),
  );
  await dynamodb.send(
    new PutCommand({ TableName: table, Item: { ...key('RAW#PROFILE'), email: 'member@example.com', n: 1 } }),
  );

  // The dispatcher: long-polls its queue until told to stop, as Herald's poller does its own. If
  // it fails, the load stops and the error is the bench's.
  let polling = true;
  let failure: unknown;
  const dispatcher = (async () => {
    while (polling) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length === 0) continue;
      const ids = Messages.map((m) => {
        const body = JSON.parse(m.Body ?? '{}') as RawJob;
        return {
          executionId: body.executionId,
          messageId: body.messageId ?? body.recipients?.[0]?.messageId ?? '',
        };
      });
      await dynamodb.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: [
                ...ids.map((id) => key(`RAW#EXEC#${id.executionId}`, `MSG#${id.messageId}`)),
                key('RAW#PROFILE'),
                key('RAW#SUPPRESSION', 'member@example.com'),
              ],
            },
          },
        }),
      );
      await Promise.all(
        ids.map(async (id) => {
          await dynamodb.send(
            new PutCommand({
              TableName: table,
              Item: {
                ...key(`RAW#EXEC#${id.executionId}`, `COPY#${id.messageId}`),
                providerId: randomUUID(),
                ...(duties
                  ? {
                      type: 'outbox',
                      messageId: id.messageId,
                      executionId: id.executionId,
                      channel: 'email',
                      to: 'member@example.com',
                      subject: 'Hello 1',
                      html: '<p>code</p>',
                      sentAt: new Date().toISOString(),
                      expiresAt: Math.floor(Date.now() / 1000) + 30 * 86400,
                    }
                  : {}),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          await dynamodb.send(
            new UpdateCommand({
              TableName: table,
              Key: key(`RAW#EXEC#${id.executionId}`, `MSG#${id.messageId}`),
              UpdateExpression: 'SET #s = :s, history = list_append(history, :h)',
              ...(duties ? { ConditionExpression: '#s = :from' } : {}),
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: {
                ':s': 'sent',
                ':h': [{ status: 'sent', at: Date.now() }],
                ...(duties ? { ':from': 'queued' } : {}),
              },
            }),
          );
        }),
      );
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  })().catch((error: unknown) => {
    failure = error;
    polling = false;
  });

  /** The trigger's four calls; `input` is what the call carries. */
  const trigger = async (input: RawRequest) => {
    const executionId = randomUUID();
    const messageId = randomUUID();
    const claim = key(`RAW#CLAIM#${input.requestId}`);
    await dynamodb.send(
      new BatchGetCommand({
        RequestItems: { [table]: { Keys: [key('RAW#KEY'), key('RAW#CAMPAIGN'), key('RAW#PROFILE')] } },
      }),
    );
    const now = Date.now();
    const at = new Date(now).toISOString();
    const expiresAt = Math.floor(now / 1000) + 30 * 86400;
    const recipient = input.recipients[0];
    // With `duties`: the job the dispatcher needs (content and recipient, so it reads no campaign),
    // kept in the claim until queued (the outbox), and the index entries Herald's items carry.
    const job: RawJob = duties
      ? {
          kind: 'unitary',
          executionId,
          requestId: input.requestId,
          campaignId: input.campaignId,
          content: { subject: 'Hello {{profile.n}}', html: '<p>{{context.code}}</p>' },
          recipients: [{ messageId, userId: recipient?.userId ?? '', context: recipient?.context ?? {} }],
        }
      : { executionId, messageId };
    const body = JSON.stringify(job);
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: {
                ...claim,
                executionId,
                state: 'pending',
                ...(duties
                  ? {
                      type: 'idempotency',
                      bodyHash: createHash('sha256').update(JSON.stringify(input)).digest('hex'),
                      response: { executionId, requestId: input.requestId, createdAt: at },
                      lockedUntil: now + 30_000,
                      expiresAt,
                      jobs: body,
                      duePk: 'DUE#RAW',
                      dueSk: `${new Date(now + 30_000).toISOString()}#${claim.pk}`,
                    }
                  : {}),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: table,
              Item: {
                ...key(`RAW#EXEC#${executionId}`, 'EXEC'),
                campaign: 'RAW#CAMPAIGN',
                recipients: 1,
                ...(duties
                  ? { type: 'execution', requestId: input.requestId, createdAt: at, expiresAt }
                  : {}),
              },
            },
          },
          {
            Put: {
              TableName: table,
              Item: {
                ...key(`RAW#EXEC#${executionId}`, `MSG#${messageId}`),
                status: 'queued',
                address: 'member@example.com',
                context: recipient?.context ?? {},
                history: [{ status: 'queued', at: now }],
                ...(duties
                  ? {
                      type: 'message',
                      executionId,
                      messageId,
                      userId: recipient?.userId ?? '',
                      profileMsgPk: 'RAW#PMSG#PROFILE',
                      profileMsgSk: `${at}#${messageId}`,
                      expiresAt,
                    }
                  : {}),
              },
            },
          },
          // The execution's entry in the sandbox's listing (GET /im/executions).
          ...(duties
            ? [
                {
                  Put: {
                    TableName: table,
                    Item: {
                      ...key('RAW#EXECLOG', `${at}#${executionId}`),
                      type: 'execution-log',
                      executionId,
                      requestId: input.requestId,
                      createdAt: at,
                      expiresAt,
                    },
                  },
                },
              ]
            : []),
        ],
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await dynamodb.send(
      new UpdateCommand({
        TableName: table,
        Key: claim,
        UpdateExpression: duties ? 'SET #s = :done REMOVE jobs, duePk, dueSk' : 'SET #s = :done',
        ...(duties ? { ConditionExpression: 'attribute_exists(pk)' } : {}),
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':done': 'done' },
      }),
    );
    return { executionId };
  };
  const requestBody = (i: number): RawRequest => ({
    requestId: `${runTag}-${i}`,
    campaignId: 'RAW#CAMPAIGN',
    recipients: [
      { type: 'aep', userId: 'member@example.com', namespace: 'email', context: { code: String(i) } },
    ],
  });
  const server = options.overHttp ? await rawServer(trigger) : undefined;

  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < calls && failure === undefined) {
          const i = next++;
          const t0 = performance.now();
          if (server) {
            const response = await fetch(server.url, {
              method: 'POST',
              headers: { authorization: 'Bearer raw', 'content-type': 'application/json' },
              body: JSON.stringify(requestBody(i)),
            });
            const text = await response.text();
            if (response.status !== 202) throw new Error(`raw server: ${response.status} ${text}`);
            JSON.parse(text);
          } else {
            await trigger(requestBody(i));
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
    if (failure !== undefined) throw failure;
    const wallMs = performance.now() - started;
    return {
      latencies: latencies.sort((a, b) => a - b),
      wallMs,
      sentMs: await queueDrained(sqs, queueUrl, started),
    };
  } finally {
    polling = false;
    await dispatcher;
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await server?.close();
  }
}

/** The queued job: its ids alone, or (with `duties`) what the dispatcher renders and sends from. */
interface RawJob {
  readonly executionId: string;
  readonly messageId?: string;
  readonly kind?: string;
  readonly requestId?: string;
  readonly campaignId?: string;
  readonly content?: Record<string, string>;
  readonly recipients?: readonly { messageId: string; userId: string; context: Record<string, string> }[];
}

interface RawRequest {
  readonly requestId: string;
  readonly campaignId: string;
  readonly recipients: readonly {
    readonly type: string;
    readonly userId: string;
    readonly namespace: string;
    readonly context?: Record<string, string>;
  }[];
}

/** The least an HTTP front does: read the body, parse it once, run the trigger, answer 202 JSON. */
async function rawServer(trigger: (input: RawRequest) => Promise<{ executionId: string }>) {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RawRequest;
      trigger(input).then(
        (answer) => {
          const text = JSON.stringify({ ...answer, requestId: input.requestId });
          response.writeHead(202, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
          });
          response.end(text);
        },
        (error: Error) => {
          response.writeHead(500).end(error.message);
        },
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/raw`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
