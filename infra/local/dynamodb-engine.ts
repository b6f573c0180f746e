import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type TransactGetItemsInput,
  type TransactWriteItemsInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ReadWriteLock } from './read-write-lock.ts';
import { ENGINE_KEEP_ALIVE_MS, engineClientAgent } from './sockets.ts';

/**
 * The embedded DynamoDB: dynalite (DynamoDB's protocol over LevelDB) behind a small front server
 * that adds what dynalite lacks and Herald needs: TransactWriteItems and TransactGetItems (all or
 * nothing: every other write is held while a transaction runs, and a failed transaction restores
 * what it changed), and UpdateTimeToLive (accepted; expiry is never relied on for correctness, code
 * checks `expiresAt` itself because DynamoDB deletes expired items only eventually).
 */
export interface DynamoDbEngine {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const WRITE_TARGETS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const PREFIX = 'DynamoDB_20120810.';

type AttributeMap = Record<string, unknown>;

export async function startDynamoDbEngine(options: {
  dataDir?: string;
  port?: number;
}): Promise<DynamoDbEngine> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const backend = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  // Kept-alive connections on both hops: clients let idle sockets go long before the servers close
  // them (infra/local/sockets.ts).
  backend.keepAliveTimeout = ENGINE_KEEP_ALIVE_MS;
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const backendPort = (backend.address() as AddressInfo).port;
  const upstreamAgent = new http.Agent(engineClientAgent(256));
  const direct = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${backendPort}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { httpAgent: engineClientAgent(50) },
  });
  const lock = new ReadWriteLock();

  const front = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(request.headers['x-amz-target'] ?? '').replace(PREFIX, '');
      const answer = (status: number, payload: unknown) => {
        const text = JSON.stringify(payload);
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(text),
          'x-amzn-requestid': crypto.randomUUID(),
        });
        response.end(text);
      };
      if (target === 'TransactWriteItems') {
        lock
          .exclusive(() =>
            transactWrite(direct, JSON.parse(body.toString('utf8')) as TransactWriteItemsInput),
          )
          .then(
            ([status, payload]) => answer(status, payload),
            (error: Error) => answer(500, serverError(error)),
          );
      } else if (target === 'TransactGetItems') {
        lock
          .exclusive(() => transactGet(direct, JSON.parse(body.toString('utf8')) as TransactGetItemsInput))
          .then(
            ([status, payload]) => answer(status, payload),
            (error: Error) => answer(500, serverError(error)),
          );
      } else if (target === 'UpdateTimeToLive') {
        const input = JSON.parse(body.toString('utf8')) as { TimeToLiveSpecification?: unknown };
        answer(200, { TimeToLiveSpecification: input.TimeToLiveSpecification });
      } else {
        const forward = () => proxy(upstreamAgent, backendPort, request, body, response);
        if (WRITE_TARGETS.has(target)) void lock.shared(forward);
        else void forward();
      }
    });
  });
  front.keepAliveTimeout = ENGINE_KEEP_ALIVE_MS;
  front.listen(options.port ?? 0, '127.0.0.1');
  await once(front, 'listening');
  const port = (front.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      direct.destroy();
      upstreamAgent.destroy();
      await new Promise<void>((resolve, reject) =>
        backend.close((error?: Error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/**
 * Forwards one request to dynalite on a kept-alive connection. A reused connection that dynalite
 * reset before answering (it closed it as the request went out) never ran the request: it is sent
 * again at once on a new one, instead of answering the caller a 500.
 */
export function proxy(
  agent: http.Agent,
  port: number,
  request: Pick<http.IncomingMessage, 'method' | 'url' | 'headers'>,
  body: Buffer,
  response: http.ServerResponse,
): Promise<void> {
  return new Promise((resolve) => {
    const send = (again: boolean) => {
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port,
          agent,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
          answer.on('end', resolve);
          answer.on('error', resolve);
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (again && upstream.reusedSocket && error.code === 'ECONNRESET') return send(false);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(serverError(error)));
        resolve();
      });
      upstream.end(body);
    };
    send(true);
  });
}

function serverError(error: Error) {
  return { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: error.message };
}

function validation(message: string): [number, unknown] {
  return [400, { __type: 'com.amazon.coral.validate#ValidationException', message }];
}

interface WriteAction {
  readonly table: string;
  readonly key: AttributeMap;
  run(): Promise<void>;
}

/** Key attribute names of each table, read once. */
const keyNamesCache = new Map<string, string[]>();

async function keyNames(client: DynamoDBClient, table: string): Promise<string[]> {
  let names = keyNamesCache.get(table);
  if (!names) {
    const described = await client.send(new DescribeTableCommand({ TableName: table }));
    names = (described.Table?.KeySchema ?? []).map((k) => String(k.AttributeName));
    keyNamesCache.set(table, names);
  }
  return names;
}

async function keyOf(client: DynamoDBClient, table: string, item: AttributeMap): Promise<AttributeMap> {
  const names = await keyNames(client, table);
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

/**
 * The items the actions touch as they are now (undefined where absent), for the rollback: one
 * strongly consistent BatchGetItem per table and 100 keys, not a GetItem per item (ADR 0034).
 */
async function itemsBefore(
  client: DynamoDBClient,
  actions: readonly WriteAction[],
): Promise<(AttributeMap | undefined)[]> {
  const found = new Map<string, AttributeMap>();
  const idOf = (table: string, names: readonly string[], item: AttributeMap) =>
    `${table}\u0000${names.map((name) => JSON.stringify(item[name])).join('\u0000')}`;
  const tables = [...new Set(actions.map((action) => action.table))];
  await Promise.all(
    tables.map(async (table) => {
      const names = await keyNames(client, table);
      const keys = actions.filter((action) => action.table === table).map((action) => action.key);
      for (let start = 0; start < keys.length; start += 100) {
        let request: AttributeMap[] | undefined = keys.slice(start, start + 100);
        while (request && request.length > 0) {
          const answer: BatchGetItemCommandOutput = await client.send(
            new BatchGetItemCommand({
              RequestItems: { [table]: { Keys: request as never, ConsistentRead: true } },
            }),
          );
          for (const item of answer.Responses?.[table] ?? []) found.set(idOf(table, names, item), item);
          request = answer.UnprocessedKeys?.[table]?.Keys as AttributeMap[] | undefined;
        }
      }
    }),
  );
  return Promise.all(
    actions.map(async (action) =>
      found.get(idOf(action.table, await keyNames(client, action.table), action.key)),
    ),
  );
}

async function transactWrite(
  client: DynamoDBClient,
  input: TransactWriteItemsInput,
): Promise<[number, unknown]> {
  const items = input.TransactItems ?? [];
  if (items.length === 0 || items.length > 100) return validation('TransactItems must have 1 to 100 members');
  const actions: WriteAction[] = [];
  for (const entry of items) {
    // The request is raw JSON in DynamoDB's wire shape, which is what the low-level client sends.
    const raw = entry as unknown as Record<string, Record<string, unknown> | undefined>;
    if (raw.Put) {
      const put = raw.Put as { TableName: string; Item: AttributeMap };
      actions.push({
        table: put.TableName,
        key: await keyOf(client, put.TableName, put.Item),
        run: async () => void (await client.send(new PutItemCommand(raw.Put as never))),
      });
    } else if (raw.Update) {
      const update = raw.Update as { TableName: string; Key: AttributeMap };
      actions.push({
        table: update.TableName,
        key: update.Key,
        run: async () => void (await client.send(new UpdateItemCommand(raw.Update as never))),
      });
    } else if (raw.Delete) {
      const del = raw.Delete as { TableName: string; Key: AttributeMap };
      actions.push({
        table: del.TableName,
        key: del.Key,
        run: async () => void (await client.send(new DeleteItemCommand(raw.Delete as never))),
      });
    } else if (raw.ConditionCheck) {
      const check = raw.ConditionCheck as {
        TableName: string;
        Key: AttributeMap;
        ConditionExpression: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues?: AttributeMap;
      };
      actions.push({
        table: check.TableName,
        key: check.Key,
        // An update that changes nothing but is guarded by the condition; rollback removes any
        // key-only item it may leave behind.
        run: async () =>
          void (await client.send(
            new UpdateItemCommand({
              TableName: check.TableName,
              Key: check.Key as never,
              ConditionExpression: check.ConditionExpression,
              ExpressionAttributeNames: { ...check.ExpressionAttributeNames, '#heraldNoop': 'heraldNoop__' },
              ExpressionAttributeValues: check.ExpressionAttributeValues as never,
              UpdateExpression: 'REMOVE #heraldNoop',
            }),
          )),
      });
    } else {
      return validation('Each TransactItems member needs Put, Update, Delete or ConditionCheck');
    }
  }
  const seen = new Set<string>();
  for (const action of actions) {
    const id = `${action.table}/${JSON.stringify(action.key)}`;
    if (seen.has(id)) return validation('Transaction request cannot include multiple operations on one item');
    seen.add(id);
  }
  const before = await itemsBefore(client, actions);
  // Items are distinct (checked above), so the writes do not interact and may run together; any
  // failure puts every item back as it was.
  const results = await Promise.allSettled(actions.map((action) => action.run()));
  const failures = results.flatMap((result, index) =>
    result.status === 'rejected' ? [{ index, error: result.reason as unknown }] : [],
  );
  if (failures.length > 0) {
    await rollback(client, actions, before);
    const conditionFailures = new Set(
      failures.filter((f) => f.error instanceof ConditionalCheckFailedException).map((f) => f.index),
    );
    const other = failures.find((f) => !(f.error instanceof ConditionalCheckFailedException));
    if (other) {
      if (other.error instanceof Error && other.error.name === 'ValidationException')
        return validation(other.error.message);
      throw other.error;
    }
    const reasons = actions.map((_, i) =>
      conditionFailures.has(i)
        ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
        : { Code: 'None' },
    );
    return [
      400,
      {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        CancellationReasons: reasons,
      },
    ];
  }
  return [200, {}];
}

/** Puts back each touched item as it was (or deletes it when it did not exist). */
async function rollback(
  client: DynamoDBClient,
  actions: WriteAction[],
  before: (AttributeMap | undefined)[],
) {
  for (let index = actions.length - 1; index >= 0; index--) {
    const action = actions[index] as WriteAction;
    const previous = before[index];
    if (previous) await client.send(new PutItemCommand({ TableName: action.table, Item: previous as never }));
    else await client.send(new DeleteItemCommand({ TableName: action.table, Key: action.key as never }));
  }
}

async function transactGet(client: DynamoDBClient, input: TransactGetItemsInput): Promise<[number, unknown]> {
  const items = input.TransactItems ?? [];
  if (items.length === 0 || items.length > 100) return validation('TransactItems must have 1 to 100 members');
  const responses = [];
  for (const entry of items) {
    if (!entry.Get) return validation('Each TransactItems member needs Get');
    const { Item } = await client.send(new GetItemCommand({ ...entry.Get, ConsistentRead: true }));
    responses.push(Item ? { Item } : {});
  }
  return [200, { Responses: responses }];
}
