import type { Tracer } from '@aws-lambda-powertools/tracer';
import { Tracer as TracerOff } from './aws/tracer-off.ts';
import type { Correlation } from './logger.ts';

/**
 * X-Ray tracing with Powertools Tracer: the SDK clients a root builds are captured (each DynamoDB
 * and SQS call a subsegment), and each unit of work (API request, SQS record, scheduler run) is a
 * subsegment annotated with its correlation ids, so a trace is found by `requestId`,
 * `executionId`, `messageId` or `sandbox`. Tracer turns itself off outside Lambda (the local
 * runtime, tests) and when `POWERTOOLS_TRACE_ENABLED=false`; HTTP(S) calls are not captured on
 * purpose: a webhook's URL may carry a receiver's token in its query, and X-Ray records URLs.
 *
 * Bundles built with tracing off (the default deploy setting, ADR 0023) get `tracing-off.ts`
 * instead, through an esbuild alias: the same functions, without aws-xray-sdk-core.
 */
/**
 * The Tracer is loaded only where it can be on: in Lambda (`AWS_EXECUTION_ENV`, the Tracer's own
 * test) unless `POWERTOOLS_TRACE_ENABLED=false`. Its import alone loads aws-xray-sdk-core, whose
 * CLS namespace turns on async_hooks for the whole process (every `await` about 12× dearer:
 * 128 → 1,501 ms for 2,000,000 in a micro-bench), which the local runtime and the tests must not
 * pay for a Tracer that would be off anyway. Bundles built with tracing off get the stub here too
 * (the alias), so only tracing-on bundles in Lambda load it (ADR 0023).
 */
const mayTrace =
  (process.env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_') &&
  process.env.POWERTOOLS_TRACE_ENABLED !== 'false';
const TracerClass: typeof Tracer = mayTrace
  ? (await import('@aws-lambda-powertools/tracer')).Tracer
  : // The stub has the few members used here; it is never enabled, so the rest is never reached.
    (TracerOff as unknown as typeof Tracer);

let tracer: Tracer | undefined;
const containerTracer = (): Tracer => {
  tracer ??= new TracerClass({ serviceName: 'herald', captureHTTPsRequests: false });
  return tracer;
};

/** The client, its calls traced when tracing is on (unchanged otherwise). */
export function traceClient<T>(client: T): T {
  const active = containerTracer();
  return active.isTracingEnabled() ? active.captureAWSv3Client(client) : client;
}

/** X-Ray annotation keys are letters, digits and underscores; these are the correlation keys. */
const ANNOTATED = ['sandbox', 'requestId', 'executionId', 'messageId', 'campaignId', 'webhookId'] as const;

/**
 * Runs `work` in a subsegment named `name`; `correlation()` is read when the work ends (ids are
 * learned along the way) and put on the subsegment as annotations.
 */
export async function traced<T>(
  name: string,
  correlation: () => Correlation,
  work: () => Promise<T>,
): Promise<T> {
  const active = containerTracer();
  const parent = active.isTracingEnabled() ? active.getSegment() : undefined;
  if (!parent) return work();
  // A context of its own (X-Ray's CLS namespace), so records processed side by side each nest
  // their calls under their own subsegment.
  return active.provider.getNamespace().runAndReturn(async () => {
    const subsegment = parent.addNewSubsegment(name);
    active.setSegment(subsegment);
    try {
      return await work();
    } catch (error) {
      active.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      const ids = correlation();
      for (const key of ANNOTATED) {
        const value = ids[key];
        if (value !== undefined) subsegment.addAnnotation(key, value);
      }
      subsegment.close();
    }
  });
}
