import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/** Where esbuild runs (`esbuildOptions`): the aliases' targets are resolved there. */
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

/** The file Lambda loads (`index.handler`): the entry chunk of a bundle. */
export const BUNDLE_ENTRY = 'index.mjs';

/** Where the chunks loaded by `import()` are, beside the entry. */
export const CHUNKS_DIR = 'chunks';

/**
 * Packages a bundle ships beside its code instead of in it, for a module that loads them with
 * Node's own `require()` at first use (which esbuild leaves as it is): when a bundle holds code of
 * `input` (reached but tree-shaken away does not count), `node_modules/<name>/` is written beside
 * `index.mjs`, with a `package.json` whose `exports` map each subpath the module requires to a file
 * made from the real package: `bundle` (the subpath bundled whole into one minified CommonJS file)
 * or `copy` (a file of it as it is). Unbundled, the same `require()` reads the real package; in a
 * bundle it reads these, resolved the same way.
 *
 * `shared/domain/phone.ts` requires `libphonenumber-js/core` and its `/min` metadata on the first
 * phone number: 38 KB of code and 83 KB of JSON that are neither compiled nor parsed at a cold
 * start's import (ADR 0031).
 */
export const SHIPPED_PACKAGES: readonly {
  readonly input: string;
  readonly name: string;
  readonly exports: Readonly<
    Record<string, { readonly file: string } & ({ bundle: string } | { copy: string })>
  >;
}[] = [
  {
    input: 'shared/domain/phone.ts',
    name: 'libphonenumber-js',
    exports: {
      './core': { file: 'core.cjs', bundle: 'libphonenumber-js/core' },
      './metadata.min.json': {
        file: 'metadata.min.json',
        copy: 'node_modules/libphonenumber-js/metadata.min.json',
      },
    },
  },
];

/** The files of `SHIPPED_PACKAGES` in a bundle's directory, when shipped. */
export function shippedPackageFiles(): string[] {
  return SHIPPED_PACKAGES.flatMap(({ name, exports }) => [
    `node_modules/${name}/package.json`,
    ...Object.values(exports).map((e) => `node_modules/${name}/${e.file}`),
  ]);
}

/** Writes one shipped package into `outdir`. */
function shipPackage(outdir: string, { name, exports }: (typeof SHIPPED_PACKAGES)[number]): void {
  const dir = path.join(outdir, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  const { version } = JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8'),
  );
  const map: Record<string, string> = {};
  for (const [subpath, made] of Object.entries(exports)) {
    map[subpath] = `./${made.file}`;
    const target = path.join(dir, made.file);
    if ('copy' in made) copyFileSync(path.join(PROJECT_ROOT, made.copy), target);
    else
      buildSync({
        entryPoints: [made.bundle],
        bundle: true,
        outfile: target,
        format: 'cjs',
        platform: 'node',
        target: 'node24',
        minify: true,
        absWorkingDir: PROJECT_ROOT,
        logLevel: 'warning',
      });
  }
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name, version, exports: map }, null, 2)}\n`,
  );
}

/**
 * How every Herald function is bundled, in one place: `HeraldFunction`'s local bundling runs it
 * (`bundleFunction`), and `bench/bundles.ts` builds the same bundles with it to measure size and
 * import time. ESM, tree-shaken and minified; the AWS SDK v3 clients are bundled too (no
 * externals), so the deployed code runs the versions the tests ran.
 *
 * Code splitting is on: a module reached only by `import()` (the dispatcher's provider adapters and
 * their SDK clients and nodemailer, ADR 0031) is a chunk under `chunks/`, loaded the first time a
 * job needs it; a bundle without `import()` is `index.mjs` alone, as before.
 *
 * Source maps are written beside each file, without the sources (a 1 MB map instead of 3 MB),
 * and Node.js does not load them by default: `--enable-source-maps` makes every cold start parse
 * the map before the handler runs (+12 % import time with this map, +27 % with the sources in it,
 * measured with `npm run bench:bundles -- --source-maps`). `SOURCE_MAPS_CONTEXT` turns them on.
 * With `metafile`, so a caller can see what a bundle is made of.
 */
export function esbuildOptions(
  entry: string,
  outdir: string,
  tracing: boolean = TRACING_DEFAULT,
  aliases: Record<string, string> = bundleAliases(tracing),
): BuildOptions & { metafile: true } {
  return {
    entryPoints: [entry],
    bundle: true,
    outdir,
    entryNames: path.basename(BUNDLE_ENTRY, '.mjs'),
    chunkNames: `${CHUNKS_DIR}/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [],
    absWorkingDir: PROJECT_ROOT,
    alias: aliases,
    // Some bundled CommonJS dependencies call require(); ESM has none unless we make one.
    banner: {
      js: "import { createRequire as heraldCreateRequire } from 'node:module'; const require = heraldCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
    metafile: true,
  };
}

/**
 * The outputs (metafile paths) a fresh process loads by importing the bundle in `outdir`: its entry
 * and the chunks it imports statically, transitively — what a cold start loads; the `import()`
 * chunks load at first use.
 */
export function outputsAtImport(metafile: Metafile, outdir: string): Set<string> {
  const loaded = new Set<string>();
  const visit = (out: string) => {
    if (loaded.has(out)) return;
    loaded.add(out);
    for (const i of metafile.outputs[out]?.imports ?? [])
      if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  // Output paths in the metafile are relative to the working directory esbuild ran in.
  visit(path.relative(PROJECT_ROOT, path.join(outdir, BUNDLE_ENTRY)));
  return loaded;
}

export interface BuiltFunction {
  readonly metafile: Metafile;
  /** Every file of the bundle, relative to its directory: code, maps, shipped files, console. */
  readonly files: readonly string[];
}

/**
 * Builds one function's bundle into `outdir`, as it is deployed: esbuild with `esbuildOptions`,
 * then the `SHIPPED_PACKAGES` its code needs, then (`consoleAssets`) the built console under
 * `console/` (built first when its sources changed since the last build, with this Node.js).
 * Synchronous, because CDK's local bundling is; Docker is never needed. `aliases` is for the
 * bench's comparison rows only (`--no-aliases`); the stack never passes it.
 */
export function bundleFunction(
  entry: string,
  outdir: string,
  {
    tracing = TRACING_DEFAULT,
    consoleAssets = false,
    aliases,
  }: { tracing?: boolean; consoleAssets?: boolean; aliases?: Record<string, string> } = {},
): BuiltFunction {
  const { metafile } = buildSync(esbuildOptions(entry, outdir, tracing, aliases));
  const held = (input: string) =>
    Object.values(metafile.outputs).some((o) => (o.inputs[input]?.bytesInOutput ?? 0) > 0);
  for (const shipped of SHIPPED_PACKAGES) if (held(shipped.input)) shipPackage(outdir, shipped);
  if (consoleAssets) {
    execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'console/build.ts'), '--if-stale'], {
      stdio: 'inherit',
    });
    cpSync(path.join(PROJECT_ROOT, 'console/dist'), path.join(outdir, 'console'), { recursive: true });
  }
  const files = readdirSync(outdir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => path.relative(outdir, path.join(f.parentPath, f.name)))
    .sort();
  return { metafile, files };
}
