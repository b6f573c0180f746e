import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resetConfig } from '../../shared/config.ts';
import { functionDefinitions } from '../../shared/definitions/functions.ts';
import { type QueueDefinition, queueDefinitions } from '../../shared/definitions/queues.ts';
import { tableDefinition } from '../../shared/definitions/table.ts';
import { hashApiKey } from '../../shared/domain/auth.ts';
import { type ApiGroup, routes } from '../../shared/http/routes.ts';
import { systemClock } from '../../shared/ports.ts';
import { resetSqsClient } from '../../shared/queue/sqs-client.ts';
import { DynamoDbApiKeyStore } from '../../shared/store/dynamodb-api-key-store.ts';
import { resetDocumentClient } from '../../shared/store/dynamodb-client.ts';
import { createRootKey } from '../../shared/use-cases/admin.ts';
import { startDynamoDbEngine } from './dynamodb-engine.ts';
import { type ApiLambda, startHttpGateway } from './http-gateway.ts';
import { ensureQueues, ensureTable } from './provision.ts';
import { type QueuePoller, type SqsLambda, startQueuePoller } from './queue-poller.ts';
import { startSqsEngine } from './sqs-engine.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface HeraldRuntimeOptions {
  /** Port of the API; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Folder for the embedded engines' data and the generated root key; null keeps all in memory. */
  readonly dataDir?: string | null;
  /** @default 'herald' */
  readonly tableName?: string;
  /** Prefix of the queue names. @default 'herald-' */
  readonly queuePrefix?: string;
  /** How often the scheduler handler runs; 0 disables the timer. @default 60000 */
  readonly schedulerIntervalMs?: number;
  /** Bootstrap key to accept (as `HERALD_ADMIN_KEY`); when absent one is generated on first start. */
  readonly adminKey?: string;
  /** Queue definitions whose workers the pollers run. @default queueDefinitions */
  readonly queues?: readonly QueueDefinition[];
  /**
   * Let webhooks reach this machine (http and loopback addresses), as a laptop needs; set false to
   * run with production's SSRF policy. Ignored when HERALD_WEBHOOK_* variables are set. @default true
   */
  readonly webhooksToLoopback?: boolean;
  /** Where start-up messages go. @default console.log */
  readonly log?: (line: string) => void;
}

export interface HeraldRuntime {
  readonly url: string;
  readonly port: number;
  readonly tableName: string;
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string };
  /** Queue URLs by environment variable name (and `<NAME>_DLQ_URL` for each DLQ). */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** The root key when this start created one (in memory, or first start with a data folder). */
  readonly rootKey?: string;
  /** Where the generated root key is kept, with a data folder. */
  readonly rootKeyFile?: string;
  /** Runs the scheduler handler once now (tests use it instead of waiting for the timer). */
  runScheduler(): Promise<unknown>;
  stop(): Promise<void>;
}

let instances = 0;

/**
 * Starts Herald on one machine: the embedded DynamoDB and SQS engines (or those named by
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`), the table and queues from the shared
 * definitions, the API gateway, the queue pollers and the scheduler timer, all calling the same
 * handlers as Lambda. Handlers read their configuration from `process.env`, so one runtime runs
 * per process at a time.
 */
export async function startHerald(options: HeraldRuntimeOptions = {}): Promise<HeraldRuntime> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = options.dataDir === undefined ? path.resolve('.herald/data') : options.dataDir;
  const tableName = options.tableName ?? 'herald';
  const queues = options.queues ?? queueDefinitions;
  const stops: (() => Promise<void>)[] = [];
  // Everything this start puts into process.env is put back on stop, so a later start in the same
  // process does not mistake this runtime's engines for external ones.
  const savedEnv = new Map<string, string | undefined>();
  const setEnv = (name: string, value: string) => {
    if (!savedEnv.has(name)) savedEnv.set(name, process.env[name]);
    process.env[name] = value;
  };
  stops.push(async () => {
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    resetDocumentClient();
    resetSqsClient();
  });

  try {
    if (!process.env.AWS_REGION) setEnv('AWS_REGION', 'us-east-1');
    let dynamodbEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    let sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
    let rewriteQueueUrl = (url: string) => url;
    const startedDynamo = !dynamodbEndpoint;
    const startedSqs = !sqsEndpoint;
    if (startedDynamo || startedSqs) {
      // The embedded engines accept any credentials; the SDK still needs some to sign with.
      if (!process.env.AWS_ACCESS_KEY_ID) setEnv('AWS_ACCESS_KEY_ID', 'local');
      if (!process.env.AWS_SECRET_ACCESS_KEY) setEnv('AWS_SECRET_ACCESS_KEY', 'local');
    }
    if (!dynamodbEndpoint) {
      const engine = await startDynamoDbEngine(dataDir ? { dataDir: path.join(dataDir, 'dynamodb') } : {});
      stops.push(() => engine.stop());
      dynamodbEndpoint = engine.endpoint;
    }
    if (!sqsEndpoint) {
      const engine = await startSqsEngine(dataDir ? { dataDir: path.join(dataDir, 'sqs') } : {});
      stops.push(() => engine.stop());
      sqsEndpoint = engine.endpoint;
      rewriteQueueUrl = engine.queueUrl;
    }

    const dynamodb = new DynamoDBClient({ endpoint: dynamodbEndpoint });
    const sqs = new SQSClient({ endpoint: sqsEndpoint });
    stops.push(async () => {
      dynamodb.destroy();
      sqs.destroy();
    });
    await ensureTable(dynamodb, tableDefinition, tableName);
    const queueUrls = await ensureQueues(
      sqs,
      queueDefinitions,
      options.queuePrefix ?? 'herald-',
      rewriteQueueUrl,
    );

    if (options.webhooksToLoopback ?? true) {
      if (process.env.HERALD_WEBHOOK_ALLOW_HTTP === undefined) setEnv('HERALD_WEBHOOK_ALLOW_HTTP', 'true');
      if (process.env.HERALD_WEBHOOK_ALLOWED_ADDRESSES === undefined) {
        setEnv('HERALD_WEBHOOK_ALLOWED_ADDRESSES', '127.0.0.0/8,::1');
      }
    }
    for (const [name, value] of Object.entries({
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      TABLE_NAME: tableName,
      ...queueUrls,
      ...(options.adminKey ? { HERALD_ADMIN_KEY: options.adminKey } : {}),
    })) {
      setEnv(name, value);
    }
    resetConfig();
    resetDocumentClient();
    resetSqsClient();

    const root = await bootstrapRootKey({
      keys: new DynamoDbApiKeyStore(DynamoDBDocumentClient.from(dynamodb), tableName),
      dataDir,
      adminKey: process.env.HERALD_ADMIN_KEY,
    });

    // Each start loads fresh handler instances, so their per-container state (clients, caches,
    // configuration) belongs to this runtime.
    const instance = ++instances;
    const load = <T>(entry: string) => {
      let loaded: Promise<T> | undefined;
      return () => {
        loaded ??= import(`${pathToFileURL(path.join(PROJECT_ROOT, entry)).href}?runtime=${instance}`).then(
          (module: { handler: T }) => module.handler,
        );
        return loaded;
      };
    };
    const apiHandlers = new Map<string, () => Promise<ApiLambda>>();
    const handlerFor = (group: ApiGroup) => {
      let get = apiHandlers.get(group);
      if (!get) {
        get = load<ApiLambda>(`functions/api/${group}.ts`);
        apiHandlers.set(group, get);
      }
      return get();
    };

    const pollers: QueuePoller[] = [];
    for (const definition of queues) {
      const worker = functionDefinitions.find(
        (fn) => fn.kind === 'worker' && fn.consumes === definition.name,
      );
      if (!worker) continue;
      const queueUrl = queueUrls[definition.envVar];
      if (!queueUrl) throw new Error(`no URL for queue ${definition.name}`);
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      pollers.push(
        startQueuePoller({
          client: sqs,
          queueUrl,
          queueArn: attributes.Attributes?.QueueArn ?? queueUrl,
          definition,
          handler: load<SqsLambda>(worker.handler),
          onError: (error) => console.error(`[herald] ${definition.name} worker:`, error),
        }),
      );
    }
    // Pollers stop before the engines they read from.
    stops.unshift(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });

    const scheduler = load<() => Promise<unknown>>('functions/scheduler.ts');
    const runScheduler = async () => (await scheduler())();
    const intervalMs = options.schedulerIntervalMs ?? 60_000;
    if (intervalMs > 0) {
      let running: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        running ??= runScheduler()
          .catch((error: unknown) => console.error('[herald] scheduler:', error))
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      stops.unshift(async () => {
        clearInterval(timer);
        await running;
      });
    }

    const gateway = await startHttpGateway({
      routes,
      handlerFor,
      port: options.port ?? 3000,
      ...(options.host ? { host: options.host } : {}),
    });
    stops.unshift(() => gateway.stop());
    if (root.message) log(root.message);

    return {
      url: gateway.url,
      port: gateway.port,
      tableName,
      endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint },
      queueUrls,
      ...(root.key ? { rootKey: root.key } : {}),
      ...(root.file ? { rootKeyFile: root.file } : {}),
      runScheduler,
      stop: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.splice(0)) {
    try {
      await stop();
    } catch (error) {
      console.error('[herald] while stopping:', error);
    }
  }
}

/**
 * The bootstrap root key. With `HERALD_ADMIN_KEY` nothing is generated. Otherwise the first start
 * creates one; with a data folder it is kept in `<dataDir>/admin-key` (mode 0600) so later starts
 * can say where it is, never print it again.
 */
async function bootstrapRootKey(options: {
  keys: DynamoDbApiKeyStore;
  dataDir: string | null;
  adminKey: string | undefined;
}): Promise<{ key?: string; file?: string; message?: string }> {
  if (options.adminKey) return { message: 'Root key: the one in HERALD_ADMIN_KEY.' };
  if (!options.dataDir) {
    const { key } = await createRootKey(
      { apiKeys: options.keys, clock: systemClock },
      'local runtime (in memory)',
    );
    return { key };
  }
  const file = path.join(options.dataDir, 'admin-key');
  const existing = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (existing && (await options.keys.findByHash(hashApiKey(existing)))) {
    return { file, message: `Root key: in ${file} (read it with: cat ${file}).` };
  }
  if (!existing && (await options.keys.list(null)).length > 0) {
    return {
      message:
        'Root key: one exists but its file is gone; create another with `npm run herald -- keys create-root`.',
    };
  }
  const { key } = await createRootKey({ apiKeys: options.keys, clock: systemClock }, 'local runtime');
  await mkdir(options.dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { key, file, message: `Root key created and saved to ${file} (read it with: cat ${file}).` };
}
