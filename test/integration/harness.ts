import { randomUUID } from 'node:crypto';
import { type HeraldRuntime, type HeraldRuntimeOptions, startHerald } from '../../infra/local/runtime.ts';

/**
 * Starts Herald in this test process on a free port, with in-memory engines and no scheduler timer
 * (tests call `runScheduler()`), and a fresh root key. Call `stop()` in afterAll.
 */
export async function startTestHerald(
  options: HeraldRuntimeOptions = {},
  env: Record<string, string> = {},
): Promise<HeraldRuntime & { root: Client; logs: TestLogs }> {
  // The tests' own SDK clients (pointed at `endpoints`) sign with these; the runtime needs none.
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const lines: string[] = [];
  const documents: string[] = [];
  const runtime = await startHerald({
    port: 0,
    dataDir: null,
    schedulerIntervalMs: 0,
    log: () => {},
    // The functions' log lines are kept for the test to read, not printed.
    logSink: (line) => {
      lines.push(line);
    },
    metricsSink: (document) => {
      documents.push(document);
    },
    // Revocation must be visible at once in tests; production caches keys for a few seconds.
    // So must a new webhook; production caches a sandbox's webhook list on the fan-out for 5 s.
    environment: {
      ...process.env,
      HERALD_KEY_CACHE_SECONDS: '0',
      HERALD_WEBHOOK_CACHE_SECONDS: '0',
      HERALD_LOG_FORMAT: 'json',
      ...env,
    },
    ...options,
  });
  if (!runtime.rootKey && !options.adminKey) throw new Error('test runtime started without a root key');
  return {
    ...runtime,
    // Every suite's logs are checked for the secrets its runtime had or handed out.
    stop: async () => {
      await runtime.stop();
      assertNoSecretIn(lines.join('\n'), [
        ...handedOut,
        runtime.rootKey,
        options.adminKey,
        runtime.config.HERALD_SECRETS_KEY,
        runtime.config.HERALD_UNSUBSCRIBE_SECRET,
      ]);
    },
    root: client(runtime.url, options.adminKey ?? runtime.rootKey ?? ''),
    logs: {
      text: () => lines.join('\n'),
      lines: () => lines.map((line) => JSON.parse(line) as LogLine),
      metrics: () => documents.map((document) => JSON.parse(document) as EmfDocument),
    },
  };
}

/** A function's log line, as Powertools writes it in JSON. */
export type LogLine = Record<string, unknown> & { level: string; message: string };

/** The functions' log lines and metrics of one test runtime (JSON, `HERALD_LOG_LEVEL` or INFO). */
export interface TestLogs {
  /** Everything logged so far, as written. */
  text(): string;
  lines(): LogLine[];
  /** The EMF documents the functions wrote (CloudWatch embedded metric format). */
  metrics(): EmfDocument[];
}

/** A CloudWatch EMF document: its directives under `_aws`, dimension and metric values at the top. */
export type EmfDocument = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
};

/**
 * The secrets the API answered with in this test file (API keys' `key`, webhooks' `secret`): a
 * runtime's `stop()` fails when its logs hold one, so every integration suite checks its own logs.
 */
const handedOut = new Set<string>();

function rememberSecrets(body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  for (const field of ['key', 'secret'] as const) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.length >= 16) handedOut.add(value);
  }
}

function assertNoSecretIn(logs: string, secrets: readonly (string | undefined)[]): void {
  const leaked = secrets.filter((secret): secret is string => !!secret && logs.includes(secret));
  if (leaked.length > 0)
    throw new Error(
      `the logs hold ${leaked.length} secret(s), starting ${leaked.map((s) => `${s.slice(0, 6)}…`).join(', ')}`,
    );
}

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface Client {
  readonly key: string;
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  get<T = Record<string, unknown>>(path: string): Promise<Answer<T>>;
  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<Answer<T>>;
  put<T = Record<string, unknown>>(path: string, body?: unknown): Promise<Answer<T>>;
  patch<T = Record<string, unknown>>(path: string, body?: unknown): Promise<Answer<T>>;
  delete<T = Record<string, unknown>>(path: string): Promise<Answer<T>>;
}

/** A JSON client for one API key. A string body is sent as is (for malformed-input tests). */
export function client(baseUrl: string, key: string): Client {
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const init: RequestInit = {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
    };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${baseUrl}${path}`, init);
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    rememberSecrets(parsed);
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
  return {
    key,
    request,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path) => request('DELETE', path),
  };
}

/** A unique sandbox name for a test. */
export function sandboxName(prefix = 'sb'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates a sandbox (with `settings`, e.g. a default country) and a key with the given scopes in it. */
export async function sandboxWithKey(
  herald: { url: string; root: Client },
  scopes: string[] = ['admin'],
  name = sandboxName(),
  settings: { defaultCountry?: string } = {},
): Promise<{ sandbox: string; api: Client; keyId: string }> {
  const created = await herald.root.post('/sandboxes', { name, ...settings });
  if (created.status !== 201) throw new Error(`sandbox: ${created.status} ${JSON.stringify(created.body)}`);
  const key = await herald.root.post<{ key: string; id: string }>('/api-keys', { sandbox: name, scopes });
  if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
  return { sandbox: name, api: client(herald.url, key.body.key), keyId: key.body.id };
}

export const emailCampaign = {
  name: 'Password reset',
  category: 'transactional',
  channel: 'email',
  identityNamespace: 'email',
  content: { subject: 'Reset for {{profile.firstName}}', html: '<a href="{{context.link}}">Reset</a>' },
} as const;
