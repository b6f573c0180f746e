import path from 'node:path';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** Where esbuild runs: `NodejsFunction`'s local bundling runs it in the project root, and so does `esbuildOptions`. */
const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Modules replaced in the Lambda bundles only, by an esbuild alias (the target path is resolved in
 * the project root); unbundled code (the local runtime, tests, the CLI) imports the real ones.
 * - The SDK's default credential chain becomes the environment alone, which is where Lambda puts
 *   a function's credentials: about 130 KB less in every bundle (ADR 0012).
 * - `node:http` is loaded with `require()`: imported as an ES module it loads undici for its lazy
 *   `WebSocket` export (~20 ms of the webhook sender's cold start).
 */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './shared/aws/env-credentials.ts',
  'node:http': './shared/aws/node-http.ts',
};

/**
 * CDK context key (`cdk deploy -c herald:tracing=true`): bundle the Powertools Tracer, so each
 * DynamoDB and SQS call and each request or record is an X-Ray subsegment annotated with its
 * correlation ids. Off by default: the Tracer brings aws-xray-sdk-core, about 140 KB more in every
 * bundle and ~10 ms more of every cold start's import (ADR 0023). Lambda's own active tracing (one
 * segment per invocation) is on either way.
 */
export const TRACING_CONTEXT = 'herald:tracing';

/** Whether bundles hold the Tracer unless `herald:tracing` says. */
export const TRACING_DEFAULT = false;

/** With tracing off, the Powertools Tracer is a stub that is never enabled (no X-Ray SDK). */
export const TRACING_OFF_ALIASES: Readonly<Record<string, string>> = {
  '@aws-lambda-powertools/tracer': './shared/aws/tracer-off.ts',
};

/** The aliases of a bundle: LAMBDA_ALIASES, and the Tracer stub unless tracing is on. */
export function bundleAliases(tracing: boolean): Record<string, string> {
  return { ...LAMBDA_ALIASES, ...(tracing ? {} : TRACING_OFF_ALIASES) };
}

/** `HERALD_BUNDLING` with or without the Tracer (`TRACING_CONTEXT`). */
export function heraldBundling(tracing: boolean): BundlingOptions {
  return {
    ...HERALD_BUNDLING_BASE,
    esbuildArgs: {
      '--alias': Object.entries(bundleAliases(tracing)).map(([from, to]) => `${from}=${to}`),
    },
  };
}

/**
 * How every Herald function is bundled, in one place: `HeraldFunction` hands these to
 * `NodejsFunction`, and `bench/bundles.ts` builds the same bundles with them to measure size and
 * import time. ESM, tree-shaken and minified; the AWS SDK v3 clients are bundled too (no
 * externals), so the deployed code runs the versions the tests ran.
 *
 * Source maps are written beside each bundle, without the sources (a 1 MB map instead of 3 MB),
 * and Node.js does not load them by default: `--enable-source-maps` makes every cold start parse
 * the map before the handler runs (+12 % import time with this map, +27 % with the sources in it,
 * measured with `npm run bench:bundles -- --source-maps`). `SOURCE_MAPS_CONTEXT` turns them on.
 *
 * `LAMBDA_ALIASES` are passed as `--alias:` flags (the only way `BundlingOptions` has).
 */
const HERALD_BUNDLING_BASE: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  platform: 'node',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  forceDockerBundling: false,
  externalModules: [],
  // Some bundled CommonJS dependencies call require(); ESM has none unless we make one.
  banner:
    "import { createRequire as heraldCreateRequire } from 'node:module'; const require = heraldCreateRequire(import.meta.url);",
};

/** The default bundling (tracing as `TRACING_DEFAULT`). */
export const HERALD_BUNDLING: BundlingOptions = heraldBundling(TRACING_DEFAULT);

/** The environment every Herald function starts with (before its bindings). */
export const HERALD_RUNTIME_ENVIRONMENT: Readonly<Record<string, string>> = {
  POWERTOOLS_SERVICE_NAME: 'herald',
};

/**
 * CDK context key (`cdk deploy -c herald:sourceMaps=true`): run every function with
 * `NODE_OPTIONS=--enable-source-maps`, so logged stacks point at `shared/…` lines instead of
 * `index.mjs:1:…`, at the cost in init time described above.
 */
export const SOURCE_MAPS_CONTEXT = 'herald:sourceMaps';

/** The Node.js options that load the shipped source maps. */
export const SOURCE_MAPS_NODE_OPTIONS = '--enable-source-maps';

/**
 * The esbuild build that `NodejsFunction`'s local bundling runs for `HERALD_BUNDLING` (its
 * command-line flags, as JS API options), writing `index.mjs` into `outdir`. With `metafile`, so a
 * caller can see what a bundle is made of.
 */
export function esbuildOptions(
  entry: string,
  outdir: string,
  tracing: boolean = TRACING_DEFAULT,
): BuildOptions & { metafile: true } {
  const b = heraldBundling(tracing);
  return {
    entryPoints: [entry],
    bundle: true,
    outfile: path.join(outdir, b.format === OutputFormat.ESM ? 'index.mjs' : 'index.js'),
    platform: 'node',
    ...(b.target ? { target: b.target } : {}),
    ...(b.format ? { format: b.format } : {}),
    ...(b.mainFields ? { mainFields: b.mainFields } : {}),
    minify: b.minify ?? false,
    sourcemap: b.sourceMap ?? false,
    sourcesContent: b.sourcesContent ?? true,
    external: b.externalModules ?? [],
    absWorkingDir: PROJECT_ROOT,
    alias: bundleAliases(tracing),
    ...(b.banner ? { banner: { js: b.banner } } : {}),
    logLevel: 'warning',
    metafile: true,
  };
}
