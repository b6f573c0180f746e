/**
 * What Lambda bundles built with tracing off (the `herald:tracing` deploy setting, off by default;
 * ADR 0023) get instead of `@aws-lambda-powertools/tracer`, through an esbuild alias
 * (`infra/constructs/bundling.ts`): a Tracer that is never enabled, so `shared/tracing.ts` passes
 * clients through and runs work as it is, and aws-xray-sdk-core stays out of the bundle.
 * `shared/tracing.ts` also uses it wherever the Tracer could not be on (outside Lambda: the local
 * runtime, the tests), since importing the real one turns on async_hooks for the whole process.
 */
export class Tracer {
  isTracingEnabled(): boolean {
    return false;
  }

  captureAWSv3Client<T>(client: T): T {
    return client;
  }

  getSegment(): undefined {
    return undefined;
  }
}
