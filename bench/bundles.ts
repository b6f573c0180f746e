import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import {
  BUNDLE_ENTRY,
  bundleFunction,
  esbuildOptions,
  HERALD_RUNTIME_ENVIRONMENT,
  outputsAtImport,
  SOURCE_MAPS_NODE_OPTIONS,
  shippedPackageFiles,
} from '../infra/constructs/bundling.ts';
import { PROJECT_ROOT } from '../infra/constructs/herald-function.ts';
import { functionDefinitions } from '../shared/definitions/functions.ts';

/**
 * `npm run bench:bundles` (first part of `npm run bench`): bundles every Lambda entry under
 * `functions/` as the stack does (`bundleFunction` from `infra/constructs/bundling.ts`, which the
 * stack's local bundling runs), then prints each bundle's sizes — the entry `index.mjs`, what its
 * import loads (it and the chunks it imports statically), all its code (the chunks loaded by
 * `import()` too), and with the packages shipped beside it (ADR 0031) — and its import time next to a bare import of the same AWS SDK
 * clients bundled the same way (the `bare` rows): the median of `BENCH_IMPORT_RUNS` (15) fresh
 * Node.js processes each, run in turn so drift on a shared machine hits every row alike. Import time
 * is measured inside the child (`await import()` of the bundle, wall and CPU time), with the
 * function's own `NODE_OPTIONS`.
 * Prints figures; asserts nothing. `--detail` adds what each bundle is made of; `--why=<module>`
 * how each bundle reaches a module (an import chain from its entry); `--source-maps`
 * adds each bundle's import time with `--enable-source-maps` (what `-c herald:sourceMaps=true` costs).
 *
 * The bundles, bare ones included, are built with the Lambda aliases (`LAMBDA_ALIASES`: the
 * credential chain is the environment's alone, `node:http` comes through `require()`; ADR 0012),
 * and every `× bare` ratio is against the bare bundle built so. The `bare … (no aliases)` rows are
 * the same clients as the SDK ships them (its default credential chain), for comparison;
 * `--no-aliases` adds every function built that way too (rows marked `*`, their ratios against the
 * no-aliases bare row): before and after the aliases in one run. `--tracing` builds every bundle
 * with the Powertools Tracer, as `-c herald:tracing=true` deploys them (ADR 0023).
 */
const RUNS = Math.max(1, Number(process.env.BENCH_IMPORT_RUNS ?? 15));
const DETAIL = process.argv.includes('--detail');
const KEEP = process.argv.includes('--keep');
const SOURCE_MAPS = process.argv.includes('--source-maps');
const NO_ALIASES = process.argv.includes('--no-aliases');
/** `--tracing`: the functions as `-c herald:tracing=true` deploys them (Powertools Tracer and the X-Ray SDK bundled). */
const TRACING = process.argv.includes('--tracing');
/** `--why=<input>` (e.g. `--why=shared/domain/phone.ts`): how each bundle reaches that module. */
const WHY = process.argv.find((a) => a.startsWith('--why='))?.slice('--why='.length);

/** The SDK clients a bundle may hold, by the package that brings each in. */
const CLIENTS = [
  { pkg: '@aws-sdk/client-dynamodb', name: 'DynamoDBClient', short: 'ddb' },
  { pkg: '@aws-sdk/lib-dynamodb', name: 'DynamoDBDocumentClient', short: 'doc' },
  { pkg: '@aws-sdk/client-sqs', name: 'SQSClient', short: 'sqs' },
] as const;

/** Every Lambda entry, from the function table the stack builds its functions from. */
function entries(): string[] {
  return functionDefinitions.map((f) => path.join(PROJECT_ROOT, f.entry)).sort();
}

const root = mkdtempSync(path.join(os.tmpdir(), 'herald-bundles-'));
const kb = (bytes: number) => bytes / 1024;
const fileSize = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

interface Bundle {
  name: string;
  /** The entry, `index.mjs`. */
  file: string;
  bytes: number;
  /** The entry and the chunks it imports statically: what a cold start's import loads. */
  importBytes: number;
  /** Every chunk, those loaded by `import()` too. */
  codeBytes: number;
  /** Files shipped beside the code (`SHIPPED_PACKAGES`), required when first needed. */
  shippedBytes: number;
  mapBytes: number;
  metafile: Metafile;
}

/** `env`: as the stack builds it (with `LAMBDA_ALIASES`); `default`: without them (the SDK's own chain). */
type Chain = 'env' | 'default';

/** The sizes of a bundle in `outdir`, from its files and the import graph of its chunks. */
function measure(name: string, outdir: string, metafile: Metafile, files: readonly string[]): Bundle {
  const file = path.join(outdir, BUNDLE_ENTRY);
  const size = (f: string) => fileSize(path.join(outdir, f));
  const code = files.filter((f) => f.endsWith('.mjs'));
  // Output paths in the metafile are relative to the working directory esbuild ran in.
  const output = (f: string) => path.relative(PROJECT_ROOT, path.join(outdir, f));
  const loaded = outputsAtImport(metafile, outdir);
  const shipped = new Set(shippedPackageFiles());
  return {
    name,
    file,
    bytes: fileSize(file),
    importBytes: code.filter((f) => loaded.has(output(f))).reduce((n, f) => n + size(f), 0),
    codeBytes: code.reduce((n, f) => n + size(f), 0),
    shippedBytes: files.filter((f) => shipped.has(f)).reduce((n, f) => n + size(f), 0),
    mapBytes: files.filter((f) => f.endsWith('.map')).reduce((n, f) => n + size(f), 0),
    metafile,
  };
}

/** A function, built as the stack builds it (`bundleFunction`; the console is not counted). */
function bundle(name: string, outdir: string, entry: string, chain: Chain = 'env'): Bundle {
  mkdirSync(outdir, { recursive: true });
  const { metafile, files } = bundleFunction(entry, outdir, {
    tracing: TRACING,
    ...(chain === 'default' ? { aliases: {} } : {}),
  });
  return measure(name, outdir, metafile, files);
}

/** Bare SDK clients (`contents`), with the same esbuild options. */
async function bareBundle(name: string, outdir: string, contents: string, chain: Chain): Promise<Bundle> {
  mkdirSync(outdir, { recursive: true });
  const options = esbuildOptions('', outdir, TRACING, chain === 'default' ? {} : undefined);
  const { metafile } = await build({
    ...options,
    entryPoints: [],
    stdin: { contents, resolveDir: PROJECT_ROOT, loader: 'js' },
  });
  const files = readdirSync(outdir, { recursive: true }).map(String);
  return measure(name, outdir, metafile, files);
}

/**
 * The shortest chain of imports from the bundle's entry to `target` (an input path, as the metafile
 * names it), found by walking from `target` to its importers; undefined when the bundle does not
 * reach it. Reached is not kept: tree shaking may drop all of it (the `--detail` bytes say).
 */
function importChain(metafile: Metafile, target: string): string[] | undefined {
  const importers = new Map<string, string[]>();
  for (const [file, { imports }] of Object.entries(metafile.inputs)) {
    for (const { path: imported } of imports)
      importers.set(imported, [...(importers.get(imported) ?? []), file]);
  }
  const next = new Map<string, string | undefined>([[target, undefined]]);
  const queue = [target];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const by of importers.get(file) ?? []) {
      if (next.has(by)) continue;
      next.set(by, file);
      queue.push(by);
    }
  }
  const entry = Object.keys(metafile.inputs).find(
    (i) => i.startsWith('functions/') && next.has(i) && !importers.has(i),
  );
  if (entry === undefined) return undefined;
  const chain: string[] = [];
  for (let file: string | undefined = entry; file !== undefined; file = next.get(file)) chain.push(file);
  return chain;
}

/** Output bytes per origin: an npm package, or a folder of Herald's own code. */
function composition(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const origin = pkg ?? input.split('/').slice(0, 2).join('/');
      totals.set(origin, (totals.get(origin) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

type FunctionBundle = Bundle & { clients: (typeof CLIENTS)[number][]; chain: Chain };
const functions: FunctionBundle[] = [];
for (const chain of NO_ALIASES ? (['env', 'default'] as const) : (['env'] as const)) {
  for (const entry of entries()) {
    const base = path
      .relative(path.join(PROJECT_ROOT, 'functions'), entry)
      .replace(/\.lambda\.ts$|\.ts$/, '');
    const name = chain === 'env' ? base : `${base}*`;
    const built = bundle(name, path.join(root, chain, base), entry, chain);
    const inputs = Object.keys(built.metafile.inputs);
    const clients = CLIENTS.filter((c) => inputs.some((i) => i.includes(`node_modules/${c.pkg}/`)));
    functions.push({ ...built, clients, chain });
  }
}

// One bare bundle per distinct set of clients: just the client classes, bundled the same way; and
// the same without the aliases.
const clientKey = (clients: readonly (typeof CLIENTS)[number][]) =>
  clients.map((c) => c.short).join('+') || 'none';
const bareKey = (clients: readonly (typeof CLIENTS)[number][], chain: Chain) =>
  `${clientKey(clients)} ${chain}`;
const bare = new Map<string, Bundle>();
for (const chain of ['env', 'default'] as const) {
  for (const { clients } of functions) {
    const key = bareKey(clients, chain);
    if (bare.has(key)) continue;
    const contents = clients.map((c) => `export { ${c.name} } from '${c.pkg}';`).join('\n');
    const name = `bare ${clientKey(clients)}${chain === 'default' ? ' (no aliases)' : ''}`;
    bare.set(
      key,
      await bareBundle(name, path.join(root, `bare-${chain}-${clientKey(clients)}`), contents, chain),
    );
  }
}

// Import times: every bundle once per round, RUNS rounds, each import in a fresh process.
const childEnv = {
  ...process.env,
  ...HERALD_RUNTIME_ENVIRONMENT,
  // What the stack would set: a module that reads its configuration at load finds it.
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'herald-bench',
  DISPATCH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/dispatch',
  FEEDBACK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/feedback',
  FANOUT_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/fanout',
  // The secrets the stack passes: the sealing key's id, the unsubscribe secret, the public URL.
  HERALD_SECRETS_KMS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000',
  HERALD_UNSUBSCRIBE_SECRET: 'bench-'.repeat(8),
  HERALD_PUBLIC_URL: 'https://herald.example',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};
// The child reports wall time and CPU time (all its threads) of the import. On a shared machine
// wall time moves with the neighbours' load; CPU time much less, and it is what a Lambda's own
// vCPU spends, so both are shown.
const timer =
  'const t0 = performance.now(); const c0 = process.cpuUsage(); await import(process.argv[1]); const c = process.cpuUsage(c0); process.stdout.write(JSON.stringify([performance.now() - t0, (c.user + c.system) / 1000]));';
const importTimes = (file: string, nodeOptions: string | undefined): [number, number] =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', timer, pathToFileURL(file).href], {
      env: { ...childEnv, NODE_OPTIONS: nodeOptions ?? '' },
      encoding: 'utf8',
    }),
  );
const targets = [...functions, ...bare.values()];
const wall = new Map<string, number[]>(targets.map((t) => [t.file, []]));
const cpu = new Map<string, number[]>(targets.map((t) => [t.file, []]));
const wallWithMaps = new Map<string, number[]>(targets.map((t) => [t.file, []]));
for (let round = 0; round < RUNS; round++) {
  for (const target of targets) {
    const [ms, cpuMs] = importTimes(target.file, HERALD_RUNTIME_ENVIRONMENT.NODE_OPTIONS);
    wall.get(target.file)?.push(ms);
    cpu.get(target.file)?.push(cpuMs);
    if (SOURCE_MAPS)
      wallWithMaps.get(target.file)?.push(importTimes(target.file, SOURCE_MAPS_NODE_OPTIONS)[0]);
  }
}
const median = (values: number[] | undefined) => {
  const sorted = [...(values ?? [])].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

console.log(
  `bundles as the stack builds them${TRACING ? ' with -c herald:tracing=true' : ''}; import: median of ${RUNS} fresh processes, NODE_OPTIONS='${HERALD_RUNTIME_ENVIRONMENT.NODE_OPTIONS ?? ''}'`,
);
console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}\n`);
const header = [
  'bundle',
  'KB',
  'at import',
  'all code',
  '+ files',
  'map KB',
  'SDK clients',
  'import ms',
  '× bare',
  'cpu ms',
  '× bare',
  ...(SOURCE_MAPS ? ['with maps ms'] : []),
];
const row = (b: Bundle, key: string, base: Bundle | undefined) => {
  const ms = median(wall.get(b.file));
  const cpuMs = median(cpu.get(b.file));
  const ratio = (value: number, of: number) => (of > 0 ? (value / of).toFixed(2) : '-');
  return [
    b.name,
    kb(b.bytes).toFixed(0),
    kb(b.importBytes).toFixed(0),
    kb(b.codeBytes).toFixed(0),
    kb(b.codeBytes + b.shippedBytes).toFixed(0),
    kb(b.mapBytes).toFixed(0),
    key,
    ms.toFixed(1),
    base ? ratio(ms, median(wall.get(base.file))) : '',
    cpuMs.toFixed(1),
    base ? ratio(cpuMs, median(cpu.get(base.file))) : '',
    ...(SOURCE_MAPS ? [median(wallWithMaps.get(b.file)).toFixed(1)] : []),
  ];
};
const rows = [
  ...functions.map((f) => row(f, clientKey(f.clients), bare.get(bareKey(f.clients, f.chain)))),
  ...[...bare].map(([key, b]) => row(b, key.split(' ')[0] ?? key, undefined)),
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) =>
  cells
    .map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
    .join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log(
  '\nKB: the entry (index.mjs); at import: it and the chunks it imports statically, what a cold start loads; all code: every chunk, those loaded by import() at first use too; + files: and the packages shipped beside the code (SHIPPED_PACKAGES), required at first use; the console (api/public) is not counted',
);
console.log(
  `× bare: against the bare row built the same way (${NO_ALIASES ? 'rows marked * and ' : ''}the no-aliases rows: as the SDK ships, with its default credential chain; the others: with LAMBDA_ALIASES, as deployed)`,
);

if (DETAIL) {
  for (const f of [...functions.filter((f) => f.chain === 'env'), ...bare.values()]) {
    console.log(`\n${f.name} (${kb(f.bytes).toFixed(0)} KB):`);
    for (const [origin, bytes] of composition(f.metafile).slice(0, 12)) {
      console.log(`  ${kb(bytes).toFixed(1).padStart(7)} KB  ${origin}`);
    }
  }
}

if (WHY) {
  console.log(`\nwhy each bundle holds ${WHY} (one shortest import chain from its entry, by the metafile):`);
  for (const f of functions.filter((f) => f.chain === 'env')) {
    const chain = importChain(f.metafile, WHY);
    console.log(`  ${f.name}: ${chain ? chain.join(' → ') : '-'}`);
  }
}

if (KEEP) console.log(`\nbundles kept in ${root}`);
else rmSync(root, { recursive: true, force: true });
