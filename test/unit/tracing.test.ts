import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import AWSXRay from 'aws-xray-sdk-core';
import { describe, expect, it, vi } from 'vitest';

/**
 * shared/tracing.ts with a real Powertools Tracer and X-Ray SDK, as on Lambda (AWS_EXECUTION_ENV
 * set before the Tracer is built): each unit of work is a subsegment annotated with its ids, and a
 * captured client's calls go through X-Ray's middleware. Nothing is sent anywhere that matters:
 * closed subsegments go to the daemon's UDP port, which nobody listens on here.
 */
describe('tracing', () => {
  it('annotates the subsegment of a unit of work with the ids it learned, and captures SDK clients', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.resetModules();
    const { traceClient, traced } = await import('../../shared/tracing.ts');
    const { addCorrelation, currentCorrelation, HeraldLogger, withLogScope } = await import(
      '../../shared/logger.ts'
    );
    const segment = new AWSXRay.Segment('herald-test');
    const namespace = AWSXRay.getNamespace();
    const seen = await namespace.runAndReturn(async () => {
      AWSXRay.setSegment(segment);
      return withLogScope(new HeraldLogger({ level: 'SILENT' }), { sandbox: 'prod' }, () =>
        traced('## POST /im/executions/unitary', currentCorrelation, async () => {
          addCorrelation({ requestId: 'r-1', executionId: 'e-1' });
          return AWSXRay.getSegment()?.name;
        }),
      );
    });
    vi.unstubAllEnvs();
    expect(seen).toBe('## POST /im/executions/unitary');
    const [subsegment] = segment.subsegments ?? [];
    // As X-Ray receives it (the SDK's own serialization).
    expect(JSON.parse(String(subsegment))).toMatchObject({
      name: '## POST /im/executions/unitary',
      annotations: { sandbox: 'prod', requestId: 'r-1', executionId: 'e-1' },
      end_time: expect.any(Number),
    });

    const client = traceClient(new DynamoDBClient({ region: 'us-east-1' }));
    expect(client.middlewareStack.identify().some((name) => /XRay/i.test(name))).toBe(true);
    client.destroy();
  });
});

describe('tracing outside Lambda', () => {
  /** Whether importing shared/tracing.ts in a fresh process loads the X-Ray SDK (CommonJS: in require.cache). */
  const loadsXray = (env: Record<string, string>) => {
    const script = [
      "import { createRequire } from 'node:module';",
      `await import(${JSON.stringify(path.resolve(import.meta.dirname, '../../shared/tracing.ts'))});`,
      "console.log(Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('aws-xray-sdk-core')));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, AWS_EXECUTION_ENV: '', ...env },
    });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout.trim() === 'true';
  };

  it('never loads the X-Ray SDK, whose CLS namespace turns on async_hooks for the whole process', () => {
    expect(loadsXray({})).toBe(false);
    expect(loadsXray({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(
      false,
    );
    // In Lambda it does (the bundle decides whether the real Tracer is there at all).
    expect(loadsXray({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe(true);
  });

  it('passes clients through untouched', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', '');
    vi.resetModules();
    const { traceClient } = await import('../../shared/tracing.ts');
    const client = new DynamoDBClient({ region: 'us-east-1' });
    expect(traceClient(client)).toBe(client);
    vi.unstubAllEnvs();
  });
});
