import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  functionDefinitions,
  functionNamed,
  signsUnsubscribeLinks,
} from '../../shared/definitions/functions.ts';
import { queueDefinitions } from '../../shared/definitions/queues.ts';

/**
 * Each Lambda entry parses its configuration as it loads, and its composition root asks for the
 * queues it sends to: a bad value, or a missing variable, fails the import — the Lambda init —
 * naming it. Each entry is imported afresh (`vi.resetModules()`) with only the variables the stack
 * gives that function, as Lambda would. Building the adapters opens no connection.
 */
const root = path.resolve(import.meta.dirname, '../..');
const entry = (file: string) => import(pathToFileURL(path.join(root, file)).href);
const queueVariable = (name: string) => queueDefinitions.find((q) => q.name === name)?.envVar ?? '';

/** Exactly the variables the stack sets for this function (and a region, as Lambda has). */
function stubFunctionEnvironment(fn: (typeof functionDefinitions)[number], except?: string) {
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('TABLE_NAME', 'herald');
  for (const queue of queueDefinitions) vi.stubEnv(queue.envVar, undefined);
  vi.stubEnv(
    'HERALD_SECRETS_KMS_KEY_ID',
    fn.secrets === 'none'
      ? undefined
      : 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000',
  );
  vi.stubEnv('HERALD_UNSUBSCRIBE_SECRET', fn.unsubscribeLinks ? 'x'.repeat(64) : undefined);
  vi.stubEnv('HERALD_PUBLIC_URL', signsUnsubscribeLinks(fn) ? 'https://herald.example' : undefined);
  for (const queue of fn.queues) {
    const variable = queueVariable(queue);
    if (variable !== except)
      vi.stubEnv(variable, `https://sqs.us-east-1.amazonaws.com/000000000000/${queue}`);
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('a Lambda entry', () => {
  it.each(functionDefinitions.map((fn) => [fn.name, fn] as const))(
    '%s initialises with only its own variables',
    async (_name, fn) => {
      stubFunctionEnvironment(fn);
      const module: { handler: unknown } = await entry(fn.entry);
      expect(typeof module.handler).toBe('function');
    },
  );

  it.each(
    functionDefinitions.flatMap((fn) =>
      fn.queues.map((queue) => [fn.name, queueVariable(queue), fn] as const),
    ),
  )('%s fails its init without %s, naming it', async (_name, variable, fn) => {
    stubFunctionEnvironment(fn, variable);
    await expect(entry(fn.entry)).rejects.toThrow(
      `Herald configuration is invalid: ${variable}: is required`,
    );
  });

  it('fails its init on a malformed HERALD_* value, naming the variable', async () => {
    const executions = functionDefinitions.find((fn) => fn.name === 'executions-api');
    if (!executions) throw new Error('no executions function');
    stubFunctionEnvironment(executions);
    vi.stubEnv('HERALD_WEBHOOK_TIMEOUT_MS', 'abc');
    await expect(entry(executions.entry)).rejects.toThrow(/HERALD_WEBHOOK_TIMEOUT_MS/);
  });

  it('refuses the retired HERALD_CHANNEL_PROVIDER, pointing at channel configurations', async () => {
    const dispatch = functionNamed('dispatch-worker');
    stubFunctionEnvironment(dispatch);
    vi.stubEnv('HERALD_CHANNEL_PROVIDER', 'ses');
    await expect(entry(dispatch.entry)).rejects.toThrow(
      /HERALD_CHANNEL_PROVIDER: is no longer read: providers are channel configurations/,
    );
  });

  it('fails the init of a function that seals secrets without a key for them, naming the variable', async () => {
    const channels = functionDefinitions.find((fn) => fn.secrets !== 'none');
    if (!channels) throw new Error('no function handles secrets');
    stubFunctionEnvironment(channels);
    vi.stubEnv('HERALD_SECRETS_KMS_KEY_ID', undefined);
    vi.stubEnv('HERALD_SECRETS_KEY', undefined);
    await expect(entry(channels.entry)).rejects.toThrow(/HERALD_SECRETS_KEY: is required/);
    vi.stubEnv('HERALD_SECRETS_KEY', 'too-short');
    vi.resetModules();
    await expect(entry(channels.entry)).rejects.toThrow(/HERALD_SECRETS_KEY: must be 32 bytes in base64/);
  });

  it('fails its init without TABLE_NAME, naming it', async () => {
    const system = functionDefinitions.find((fn) => fn.name === 'system-api');
    if (!system) throw new Error('no system function');
    stubFunctionEnvironment(system);
    vi.stubEnv('TABLE_NAME', undefined);
    await expect(entry(system.entry)).rejects.toThrow(/TABLE_NAME/);
  });
});
