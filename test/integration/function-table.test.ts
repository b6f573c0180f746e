import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * The function table gives the system function read access and no queue (test/infra checks the
 * grants). Here its routes run on the embedded engines with an SDK middleware on the handlers' own
 * clients: health, the OpenAPI document and the `$default` 404/405 only read.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
const calls: string[] = [];

beforeAll(async () => {
  // No pollers and no scheduler: only the calls below use the clients.
  herald = await startTestHerald({ queues: [] });
  ({ api } = await sandboxWithKey(herald, ['campaigns:read']));
  const options = { name: 'herald-record-calls', step: 'initialize', override: true } as const;
  herald.clients.dynamodb.middlewareStack.add(recorder('dynamodb'), options);
  herald.clients.sqs.middlewareStack.add(recorder('sqs'), options);
});
afterAll(async () => {
  await herald?.stop();
});

function recorder<Input extends object, Output extends object>(
  service: string,
): InitializeMiddleware<Input, Output> {
  return (next, context) => async (args) => {
    calls.push(`${service}:${context.commandName}`);
    return next(args);
  };
}

describe('the system function', () => {
  it('serves health, OpenAPI and unknown routes with reads only, and never a queue', async () => {
    calls.length = 0;
    expect((await api.get('/im/health')).status).toBe(200);
    expect((await api.get('/openapi.json')).status).toBe(200);
    expect((await api.get('/no-such-route')).status).toBe(404);
    expect((await api.request('PUT', '/im/health')).status).toBe(405);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call) => call !== 'dynamodb:GetItemCommand')).toEqual([]);
  });
});
