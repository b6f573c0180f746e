/**
 * What Lambda bundles built with tracing off (the `herald:tracing` deploy setting, off by default;
 * ADR 0023) get instead of `@aws-lambda-powertools/tracer`, through an esbuild alias
 * (`infra/constructs/bundling.ts`): a Tracer that is never enabled, so `shared/tracing.ts` passes
 * clients through and runs work as it is, and aws-xray-sdk-core stays out of the bundle.
 * Code that is not bundled (the local runtime, the tests) imports the real Tracer, which turns
 * itself off outside Lambda.
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
