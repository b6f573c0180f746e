import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** The console's sources (`index.html`, `src/`) and where Vite writes the build. */
export const CONSOLE_ROOT = import.meta.dirname;
export const CONSOLE_DIST = path.join(CONSOLE_ROOT, 'dist');
/** Written last by a build: the hash of the sources it was built from. */
const STAMP = '.source-hash';

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** A hash of everything a build depends on here: the page, the sources, this script. */
async function sourceHash(): Promise<string> {
  const files = [
    path.join(CONSOLE_ROOT, 'index.html'),
    fileURLToPath(import.meta.url),
    ...(await filesUnder(path.join(CONSOLE_ROOT, 'src'))),
  ].sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(path.relative(CONSOLE_ROOT, file)).update(await readFile(file));
  return hash.digest('hex');
}

/**
 * Builds the console into `console/dist`, served at `/console`: hashed assets under
 * `/console/assets/`, nothing from a CDN, Preact's JSX runtime.
 */
export async function buildConsole(): Promise<void> {
  const hash = await sourceHash();
  await build({
    root: CONSOLE_ROOT,
    base: '/console/',
    configFile: false,
    logLevel: 'warn',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: CONSOLE_DIST,
      emptyOutDir: true,
      target: 'es2022',
      // Every asset a file of its own: the page's CSP allows no inline style or script.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
    },
  });
  await writeFile(path.join(CONSOLE_DIST, STAMP), hash);
}

/** Builds the console unless `console/dist` was built from the current sources. */
export async function ensureConsoleBuilt(): Promise<'built' | 'up to date'> {
  const built = await readFile(path.join(CONSOLE_DIST, STAMP), 'utf8').catch(() => undefined);
  if (built === (await sourceHash())) return 'up to date';
  await buildConsole();
  return 'built';
}

// `node console/build.ts` builds; `--if-stale` only when the sources changed since the last build.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale')) await ensureConsoleBuilt();
  else await buildConsole();
}
