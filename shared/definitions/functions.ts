import type { ApiGroup } from '../http/routes.ts';
import type { QueueDefinition } from './queues.ts';
import type { TableDefinition } from './table.ts';

/**
 * The Lambda functions, described once: each one's code, the table access it needs and the queues
 * it sends to. The CDK constructs grant exactly this (and set only these variables); each
 * function's composition root (`shared/roots/`) builds only these adapters; the local runtime
 * runs the same handlers. Worked out from the use cases each function calls — see
 * docs/adr/0010-function-table-and-composition-roots.md.
 */

export type QueueName = QueueDefinition['name'];
export type IndexName = TableDefinition['globalIndexes'][number]['name'];

/**
 * `read`: GetItem, BatchGetItem, Query. `read-write` adds PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem and ConditionCheckItem (TransactWriteItems is authorised by its item actions).
 * Never Scan, never stream actions, never table management.
 */
export type TableAccess = 'read' | 'read-write';

export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  'read-write': [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/** What a function may do on an index it queries (`<table ARN>/index/<name>`). */
export const INDEX_ACTIONS: readonly string[] = ['dynamodb:Query'];

/** What a function may do with the secrets key (`HERALD_SECRETS_KMS_KEY_ID`). */
export const SECRETS_ACTIONS: Readonly<Record<Exclude<SecretsAccess, 'none'>, readonly string[]>> = {
  seal: ['kms:Encrypt'],
  open: ['kms:Decrypt'],
};

/** What a function that sends email through SES may do, on the identity and configuration set only. */
export const SES_ACTIONS: readonly string[] = ['ses:SendEmail'];

/**
 * What a function that sends SMS through SNS may do: `Publish` to a phone number, and ask whether
 * it opted out (`checkOptOut`, ADR 0028); neither names a resource ARN.
 */
export const SNS_SMS_ACTIONS: readonly string[] = ['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut'];

/**
 * What a function that sends push through SNS may do: register tokens on the platform applications
 * named at deploy time, and publish to those applications' endpoints, nothing else.
 */
export const SNS_PUSH_ACTIONS = {
  application: ['sns:CreatePlatformEndpoint'],
  endpoint: ['sns:Publish'],
} as const;

/** What a function that sends SMS through End User Messaging may do, on the resources named at deploy time. */
export const END_USER_MESSAGING_ACTIONS: readonly string[] = ['sms-voice:SendTextMessage'];

/** What a function may do on a queue it sends to; SendMessageBatch is authorised by SendMessage. */
export const QUEUE_ACTIONS: readonly string[] = ['sqs:SendMessage'];

interface CommonDefinition {
  /** Unique; the construct id of the function. */
  readonly name: string;
  /**
   * The module exporting `createHandler(config, clients?)`: the handler, given its parsed
   * configuration. The local runtime calls it.
   */
  readonly handler: string;
  /**
   * The Lambda entry CDK bundles (`handler` beside it, `.lambda.ts`): it parses the configuration
   * when the module loads, so a bad value fails the function's init, and exports `handler`.
   */
  readonly entry: string;
  readonly table: TableAccess;
  /** Indexes the function queries. */
  readonly indexes: readonly IndexName[];
  /** Queues the function sends to; each one's `<NAME>_QUEUE_URL` is all it is told of queues. */
  readonly queues: readonly QueueName[];
  /**
   * What the function does with secrets sealed outside the table (SMTP passwords): `seal` them
   * (kms:Encrypt), `open` them (kms:Decrypt), or nothing.
   */
  readonly secrets: SecretsAccess;
  /** Whether it signs or verifies unsubscribe links (`HERALD_UNSUBSCRIBE_SECRET`). */
  readonly unsubscribeLinks: boolean;
  /**
   * Whether it sends email through SES: `HERALD_SES_CONFIGURATION_SET`, and `ses:SendEmail` on the
   * deployment's identity and configuration set when the stack is given one (`sesIdentityArn`).
   */
  readonly sesSend: boolean;
  /**
   * Whether the function serves the console's static files: its bundle carries the built console
   * (`console/dist`, copied beside the code) and `HERALD_CONSOLE_DIR` points there.
   */
  readonly consoleAssets: boolean;
  /**
   * Whether it sends SMS and push through SNS: `sns:Publish` to phone numbers when the stack is
   * given `snsSms`, and endpoint registration and publishing on the platform applications the
   * stack is given (`pushApplicationArns`); nothing without them.
   */
  readonly snsSend: boolean;
  /**
   * Lambda memory in MB, which also sets its CPU share (1,769 MB is one vCPU). Every bundle holds
   * 70–82 MB of RSS once loaded (measured with `node` on each synthesized bundle), and a request or
   * a batch adds a few MB, so memory is never the limit: the figure buys CPU where latency or
   * throughput depends on it.
   * @default DEFAULT_MEMORY_MB
   */
  readonly memoryMb: number;
}

/** The memory of a function whose work is a few store calls per request (I/O-bound). */
export const DEFAULT_MEMORY_MB = 512;

export type SecretsAccess = 'none' | 'seal' | 'open';

/** An API function: the routes of one group of the route table. */
export interface ApiFunctionDefinition extends CommonDefinition {
  readonly kind: 'api';
  readonly group: ApiGroup;
}

/** A queue worker, fed by an SQS event source on `consumes`. */
export interface WorkerFunctionDefinition extends CommonDefinition {
  readonly kind: 'worker';
  readonly consumes: QueueName;
}

/** The every-minute scheduler. */
export interface SchedulerFunctionDefinition extends CommonDefinition {
  readonly kind: 'scheduler';
}

export type FunctionDefinition =
  | ApiFunctionDefinition
  | WorkerFunctionDefinition
  | SchedulerFunctionDefinition;

interface Needs {
  readonly table: TableAccess;
  readonly indexes?: readonly IndexName[];
  readonly queues?: readonly QueueName[];
  readonly secrets?: SecretsAccess;
  readonly unsubscribeLinks?: boolean;
  readonly sesSend?: boolean;
  readonly consoleAssets?: boolean;
  readonly snsSend?: boolean;
  readonly memoryMb?: number;
}

function code(handler: string, needs: Needs) {
  return {
    handler,
    entry: handler.replace(/\.ts$/, '.lambda.ts'),
    table: needs.table,
    indexes: needs.indexes ?? [],
    queues: needs.queues ?? [],
    secrets: needs.secrets ?? 'none',
    unsubscribeLinks: needs.unsubscribeLinks ?? false,
    sesSend: needs.sesSend ?? false,
    consoleAssets: needs.consoleAssets ?? false,
    snsSend: needs.snsSend ?? false,
    memoryMb: needs.memoryMb ?? DEFAULT_MEMORY_MB,
  };
}

const api = (group: ApiGroup, needs: Needs): ApiFunctionDefinition => ({
  kind: 'api',
  name: `${group}-api`,
  group,
  ...code(`functions/api/${group}.ts`, needs),
});

const worker = (queue: QueueName, needs: Needs): WorkerFunctionDefinition => ({
  kind: 'worker',
  name: `${queue}-worker`,
  consumes: queue,
  ...code(`functions/workers/${queue}.ts`, needs),
});

export const functionDefinitions: readonly FunctionDefinition[] = [
  // Health, the OpenAPI document and the $default route's 404/405: it only reads API keys.
  api('system', { table: 'read' }),
  // Sandboxes, API keys, namespaces.
  api('admin', { table: 'read-write' }),
  // Campaigns and their lifecycle (reads audiences and namespaces to check them), and content
  // previews (read the profile they render against).
  api('campaigns', { table: 'read-write' }),
  // Profiles and identities (adds audience memberships named on the upsert); the suppression list;
  // a profile's latest messages, read through the `profileMessages` index (ADR 0029).
  api('profiles', { table: 'read-write', indexes: ['profileMessages'] }),
  // Triggers queue dispatch jobs (unitary) and fanout jobs (audience runs) through the claim. The
  // hot path (5,000 calls/s by design): more CPU is lower latency and fewer containers.
  api('executions', { table: 'read-write', queues: ['dispatch', 'fanout'], memoryMb: 1024 }),
  // Webhook configuration; `test` posts over HTTP, resend and recover queue deliveries on feedback.
  api('webhooks', { table: 'read-write', queues: ['feedback'] }),
  // Audiences, memberships and imports (an import chunk parses and writes up to 1,000 lines: CPU).
  api('audiences', { table: 'read-write', memoryMb: 1024 }),
  // Channel configurations; seals SMTP passwords (a key outside the table).
  api('channels', { table: 'read-write', secrets: 'seal' }),
  // The unsubscribe links (no API key): verifies their signature, withdraws marketing consent.
  // And the console's static files (no API key: the user pastes one into the page; ADR 0019).
  api('public', { table: 'read-write', unsubscribeLinks: true, consoleAssets: true }),
  // Sends through the channel configurations' providers (opens SMTP passwords, signs unsubscribe
  // links), records statuses, publishes status events, queues "not now" recipients again.
  worker('dispatch', {
    table: 'read-write',
    queues: ['feedback', 'dispatch'],
    secrets: 'open',
    unsubscribeLinks: true,
    sesSend: true,
    snsSend: true,
    // Renders and sends up to 10 jobs × 20 recipients a batch (templates, TLS to SMTP or SES).
    memoryMb: 1024,
  }),
  // Fans status events out to webhooks and delivers them, re-queueing retries on its own queue.
  worker('feedback', { table: 'read-write', queues: ['feedback'] }),
  // SES feedback: records the statuses providers report on messages, suppresses bounced and
  // complaining addresses, publishes the status events.
  // One small SES event a record.
  worker('provider-events', {
    table: 'read-write',
    // A STOP texted to a number finds the sandboxes sending from it.
    indexes: ['origination'],
    queues: ['feedback'],
    memoryMb: 256,
  }),
  // Pages an audience: dispatch jobs, the next page, and status events for exclusions.
  worker('fanout', { table: 'read-write', queues: ['dispatch', 'fanout', 'feedback'] }),
  {
    kind: 'scheduler',
    name: 'scheduler',
    // Due campaigns, schedules and stale claims are read from the `due` index; due schedules start
    // audience runs (fanout) and re-driven claims queue their jobs (dispatch, fanout).
    ...code('functions/scheduler.ts', {
      table: 'read-write',
      indexes: ['due'],
      queues: ['dispatch', 'fanout'],
      // Once a minute, a few index queries: nothing waits on it.
      memoryMb: 256,
    }),
  },
];

/**
 * Whether the function signs unsubscribe links (a worker putting them in messages: it needs
 * HERALD_PUBLIC_URL, where they point), rather than only verifying them (the public function).
 */
export function signsUnsubscribeLinks(fn: FunctionDefinition): boolean {
  return fn.kind === 'worker' && fn.unsubscribeLinks;
}

/** The function with that name; throws for an unknown one (a mistake in the caller). */
export function functionNamed(name: string): FunctionDefinition {
  const found = functionDefinitions.find((fn) => fn.name === name);
  if (!found) throw new Error(`no function named '${name}' in the function table`);
  return found;
}
