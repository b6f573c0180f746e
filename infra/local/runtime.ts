import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { type HeraldConfig, parseConfig } from '../../shared/config.ts';
import {
  type FunctionDefinition,
  functionDefinitions,
  functionNamed,
} from '../../shared/definitions/functions.ts';
import { type QueueDefinition, queueDefinitions } from '../../shared/definitions/queues.ts';
import { tableDefinition } from '../../shared/definitions/table.ts';
import { hashApiKey } from '../../shared/domain/auth.ts';
import { systemClock } from '../../shared/domain/clock.ts';
import { type ApiGroup, routes } from '../../shared/http/routes.ts';
import type { LogSink } from '../../shared/logger.ts';
import type { MetricSink } from '../../shared/metrics.ts';
import { createSqsClient } from '../../shared/queue/sqs-client.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { DynamoDbApiKeyStore } from '../../shared/store/dynamodb-api-key-store.ts';
import { createDocumentClient } from '../../shared/store/dynamodb-client.ts';
import { createRootKey } from '../../shared/use-cases/admin.ts';
import { startDynamoDbEngine } from './dynamodb-engine.ts';
import { type ApiLambda, startHttpGateway } from './http-gateway.ts';
import { ensureQueues, ensureTable } from './provision.ts';
import { type QueuePoller, type SqsLambda, startQueuePoller } from './queue-poller.ts';
import { engineClientAgent } from './sockets.ts';
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
  /**
   * The variables Herald's configuration is parsed from (`HERALD_*`, `AWS_REGION`,
   * `AWS_ENDPOINT_URL_*`); the runtime adds TABLE_NAME and the queue URLs itself.
   * @default process.env
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
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
  /**
   * Where the functions' log lines go (each one finished, in `HERALD_LOG_FORMAT`): the seam tests
   * read the logs through. @default stdout
   */
  readonly logSink?: LogSink;
  /**
   * Where the functions' metrics go (each an EMF document, as a Lambda writes it to stdout for
   * CloudWatch): `npm start` sums them into a periodic summary line; tests read them.
   * @default stdout, unless POWERTOOLS_METRICS_DISABLED
   */
  readonly metricsSink?: MetricSink;
}

export interface HeraldRuntime {
  readonly url: string;
  readonly port: number;
  readonly tableName: string;
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string };
  /** Queue URLs by environment variable name (and `<NAME>_DLQ_URL` for each DLQ). */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** The configuration every function was given (every queue URL: one process runs them all). */
  readonly config: HeraldConfig;
  /** The SDK clients every function was given; tests watch or fault the handlers' calls on them. */
  readonly clients: Clients;
  /** The root key when this start created one (in memory, or first start with a data folder). */
  readonly rootKey?: string;
  /** Where the generated root key is kept, with a data folder. */
  readonly rootKeyFile?: string;
  /** Runs the scheduler handler once now (tests use it instead of waiting for the timer). */
  runScheduler(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Starts Herald on one machine: the embedded DynamoDB and SQS engines (or those named by
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`), the table and queues from the shared
 * definitions, the API gateway, the queue pollers and the scheduler timer, all calling the same
 * handlers as Lambda. The configuration is parsed once, before anything starts (a bad value is a
 * {@link ConfigError} naming it), and handed with this runtime's SDK clients to each function's
 * `createHandler`: nothing is written to `process.env`, so runtimes can start and stop in turn.
 */
export async function startHerald(options: HeraldRuntimeOptions = {}): Promise<HeraldRuntime> {
  const log = options.log ?? ((line: string) => console.log(line));
  const environment = options.environment ?? process.env;
  const dataDir = options.dataDir === undefined ? path.resolve('.herald/data') : options.dataDir;
  const tableName = options.tableName ?? 'herald';
  const queues = options.queues ?? queueDefinitions;
  // What the runtime decides itself: the table, the queues (below), the bootstrap key, and for a
  // laptop webhooks that may reach this machine unless the operator said otherwise.
  const loopback = options.webhooksToLoopback ?? true;
  const configInput: Record<string, string | undefined> = {
    ...environment,
    HERALD_WEBHOOK_ALLOW_HTTP: environment.HERALD_WEBHOOK_ALLOW_HTTP ?? (loopback ? 'true' : undefined),
    HERALD_WEBHOOK_ALLOWED_ADDRESSES:
      environment.HERALD_WEBHOOK_ALLOWED_ADDRESSES ?? (loopback ? '127.0.0.0/8,::1' : undefined),
    // A laptop reads its logs: the readable line unless the operator asks for JSON.
    HERALD_LOG_FORMAT: environment.HERALD_LOG_FORMAT ?? 'text',
    TABLE_NAME: tableName,
    ...(options.adminKey ? { HERALD_ADMIN_KEY: options.adminKey } : {}),
  };
  // Before any engine starts: a bad value stops the start here, naming the variable.
  parseConfig(configInput);
  if (!configInput.HERALD_SECRETS_KEY && !configInput.HERALD_SECRETS_KMS_KEY_ID)
    configInput.HERALD_SECRETS_KEY = await localSecret(dataDir, 'secrets-key');
  configInput.HERALD_UNSUBSCRIBE_SECRET ??= await localSecret(dataDir, 'unsubscribe-secret');
  const stops: (() => Promise<void>)[] = [];

  try {
    const region = environment.AWS_REGION ?? 'us-east-1';
    // The embedded engines accept any credentials; the SDK still needs some to sign with, and an
    // operator's real ones have no business there.
    const local = { region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    // Engines named by the environment get the environment's credentials, else the SDK's chain.
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = environment;
    const sessionToken = environment.AWS_SESSION_TOKEN;
    const given =
      accessKeyId && secretAccessKey
        ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
        : {};
    let dynamodbOptions: DynamoDBClientConfig = {
      region,
      endpoint: environment.AWS_ENDPOINT_URL_DYNAMODB,
      ...given,
    };
    let sqsOptions: SQSClientConfig = { region, endpoint: environment.AWS_ENDPOINT_URL_SQS, ...given };
    let rewriteQueueUrl = (url: string) => url;
    if (!environment.AWS_ENDPOINT_URL_DYNAMODB) {
      const engine = await startDynamoDbEngine(dataDir ? { dataDir: path.join(dataDir, 'dynamodb') } : {});
      stops.push(() => engine.stop());
      dynamodbOptions = { ...local, endpoint: engine.endpoint };
    }
    if (!environment.AWS_ENDPOINT_URL_SQS) {
      const engine = await startSqsEngine(dataDir ? { dataDir: path.join(dataDir, 'sqs') } : {});
      stops.push(() => engine.stop());
      sqsOptions = { ...local, endpoint: engine.endpoint };
      rewriteQueueUrl = engine.queueUrl;
    }
    // One process runs every function, so its two clients carry what many containers would: more
    // sockets than the SDK's 50 (a 20-recipient burst at concurrency 32 queued behind them). Idle
    // sockets are let go well before the engines close them (infra/local/sockets.ts).
    const agent = engineClientAgent(256);
    const sockets = { requestHandler: { httpAgent: agent, httpsAgent: agent } };
    dynamodbOptions = { ...dynamodbOptions, ...sockets };
    sqsOptions = { ...sqsOptions, ...sockets };
    const dynamodbEndpoint = String(dynamodbOptions.endpoint);
    const sqsEndpoint = String(sqsOptions.endpoint);

    // The runtime's own clients (tables, queues, pollers), and the handlers' (every root gets the
    // same two, as tests that watch or fault the handlers' calls expect).
    const dynamodb = new DynamoDBClient(dynamodbOptions);
    const sqs = new SQSClient(sqsOptions);
    const clients: Clients = {
      dynamodb: createDocumentClient(dynamodbOptions),
      sqs: createSqsClient(sqsOptions),
      sinks: {
        ...(options.logSink ? { logs: options.logSink } : {}),
        ...(options.metricsSink ? { metrics: options.metricsSink } : {}),
      },
    };
    stops.push(async () => {
      dynamodb.destroy();
      sqs.destroy();
      clients.dynamodb.destroy();
      clients.sqs.destroy();
    });
    const { missingIndexes } = await ensureTable(dynamodb, tableDefinition, tableName);
    if (missingIndexes.length > 0)
      log(
        `warning: table ${tableName} was made before its index(es) ${missingIndexes.join(', ')} were defined, ` +
          'and the embedded engine cannot add one: the routes reading them fail until the data folder ' +
          `(${dataDir ?? 'in memory'}) or the table is deleted and the runtime creates it again.`,
      );
    const queueUrls = await ensureQueues(
      sqs,
      queueDefinitions,
      options.queuePrefix ?? 'herald-',
      rewriteQueueUrl,
    );
    let config = parseConfig({ ...configInput, ...queueUrls });

    const root = await bootstrapRootKey({
      keys: new DynamoDbApiKeyStore(clients.dynamodb, tableName),
      dataDir,
      adminKey: config.HERALD_ADMIN_KEY,
    });

    // Each function's handler is created once per start, from this start's configuration and
    // clients, so its per-container state (caches, adapters) belongs to this runtime.
    const load = <T>(fn: FunctionDefinition) => {
      let created: Promise<T> | undefined;
      return () => {
        created ??= import(pathToFileURL(path.join(PROJECT_ROOT, fn.handler)).href).then(
          (module: { createHandler: (config: HeraldConfig, clients: Clients) => T }) =>
            module.createHandler(config, clients),
        );
        return created;
      };
    };
    const apiHandlers = new Map<string, () => Promise<ApiLambda>>();
    const handlerFor = (group: ApiGroup) => {
      let get = apiHandlers.get(group);
      if (!get) {
        const fn = functionDefinitions.find((f) => f.kind === 'api' && f.group === group);
        if (!fn) throw new Error(`no function for route group '${group}'`);
        get = load<ApiLambda>(fn);
        apiHandlers.set(group, get);
      }
      return get();
    };

    const gateway = await startHttpGateway({
      routes,
      handlerFor,
      port: options.port ?? 3000,
      ...(options.host ? { host: options.host } : {}),
    });
    stops.unshift(() => gateway.stop());
    // Unsubscribe links point at this runtime unless the operator names another address. Handlers
    // are created on first use, after this, so every root sees the address.
    if (!config.HERALD_PUBLIC_URL)
      config = parseConfig({ ...configInput, ...queueUrls, HERALD_PUBLIC_URL: gateway.url });

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
          handler: load<SqsLambda>(worker),
          onError: (error) => console.error(`[herald] ${definition.name} worker:`, error),
        }),
      );
    }
    // Pollers stop before the engines they read from.
    stops.unshift(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });

    const scheduler = load<() => Promise<unknown>>(functionNamed('scheduler'));
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

    if (root.message) log(root.message);

    return {
      url: gateway.url,
      port: gateway.port,
      tableName,
      endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint },
      queueUrls,
      config,
      clients,
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
 * A secret of the local runtime, when its variable is not given: the key that seals SMTP passwords
 * (`secrets-key`, for HERALD_SECRETS_KEY) and the one that signs unsubscribe links
 * (`unsubscribe-secret`, for HERALD_UNSUBSCRIBE_SECRET). 32 random bytes in base64, kept in
 * `<dataDir>/<name>` (mode 0600) so stored passwords open and sent links work after a restart;
 * without a data folder, a new one each start (nothing outlives the start either).
 */
async function localSecret(dataDir: string | null, name: string): Promise<string> {
  if (!dataDir) return randomBytes(32).toString('base64');
  const file = path.join(dataDir, name);
  const existing = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (existing) return existing;
  const key = randomBytes(32).toString('base64');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return key;
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
