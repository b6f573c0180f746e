import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from './harness.ts';
import { waitFor } from './receiver.ts';

const MAIN = path.resolve(import.meta.dirname, '../../infra/local/main.ts');

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'herald-main-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm start` as a user runs it: a separate process, its own engines and data folder. */
async function start(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, PORT: '0', HERALD_DATA_DIR: dataDir, HERALD_SCHEDULER_INTERVAL_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 30_000;
  while (!/listening on (http:\/\/\S+)/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`herald did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
  return { child, url, output: () => output };
}

describe('npm start', () => {
  it('serves the API, tells where the root key is, and stops cleanly on Ctrl-C', async () => {
    const { child, url, output } = await start();
    try {
      const keyFile = path.join(dataDir, 'admin-key');
      expect(output()).toContain(keyFile);
      const key = (await readFile(keyFile, 'utf8')).trim();
      expect(output()).not.toContain(key);
      const health = await client(url, key).get('/im/health');
      expect(health.status).toBe(200);
      // INFO by default, as a readable line (HERALD_LOG_FORMAT=json for Powertools JSON).
      await waitFor(
        () => /INFO {2}request {2}.*method=GET route=\/im\/health status=200 ms=\d+/.test(output()),
        'the request line',
      );
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(output()).toContain('stopping Herald');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses a malformed PORT with a message naming it', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(errors).toContain('PORT');
  });

  it('refuses a malformed HERALD_* value before starting anything, naming the variable', async () => {
    const unused = path.join(dataDir, 'never-created');
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, PORT: '0', HERALD_DATA_DIR: unused, HERALD_WEBHOOK_TIMEOUT_MS: 'abc' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(errors).toContain('HERALD_WEBHOOK_TIMEOUT_MS');
    // No engine started: the data folder was never made.
    await expect(stat(unused)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
