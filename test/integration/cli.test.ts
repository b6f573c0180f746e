import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, sandboxName, startTestHerald } from './harness.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../infra/cli/herald.ts');

let herald: Awaited<ReturnType<typeof startTestHerald>>;

beforeAll(async () => {
  herald = await startTestHerald();
});
afterAll(async () => {
  await herald?.stop();
});

/** Runs `npm run herald -- …` as a separate process against the runtime's table. */
function cli(...args: string[]) {
  return run(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: herald.endpoints.dynamodb,
      TABLE_NAME: herald.tableName,
    },
  });
}

describe('the bootstrap command line', () => {
  it('creates a sandbox and a scoped key that the API then accepts', async () => {
    const name = sandboxName('cli');
    const sandbox = await cli('sandboxes', 'create', name);
    expect(JSON.parse(sandbox.stdout)).toMatchObject({ name });
    const key = await cli('keys', 'create', '--sandbox', name, '--scopes', 'campaigns:read,profiles:read');
    const created = JSON.parse(key.stdout) as { key: string; scopes: string[]; id: string };
    expect(created.scopes).toEqual(['campaigns:read', 'profiles:read']);
    const api = client(herald.url, created.key);
    expect((await api.get('/campaigns')).status).toBe(200);
    expect((await api.post('/campaigns', {})).status).toBe(403);
    const listed = await cli('keys', 'list', '--sandbox', name);
    expect(listed.stdout).toContain(created.id);
    expect(listed.stdout).not.toContain(created.key);
    await cli('keys', 'delete', '--sandbox', name, '--id', created.id);
    expect((await api.get('/campaigns')).status).toBe(401);
  });

  it('creates a root key that can manage sandboxes', async () => {
    const { stdout } = await cli('keys', 'create-root', '--name', 'ops');
    const key = stdout.trim().split('\n').at(-1) ?? '';
    expect(key).toMatch(/^hrld_/);
    expect((await client(herald.url, key).get('/sandboxes')).status).toBe(200);
  });

  it('refuses bad input with a usage message and a non-zero exit', async () => {
    await expect(cli('keys', 'create', '--sandbox', 'x1', '--scopes', 'everything')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown: everything'),
    });
    await expect(cli('sandboxes', 'create', 'Bad Name')).rejects.toMatchObject({ code: 2 });
    await expect(
      cli('keys', 'create', '--sandbox', sandboxName('none'), '--scopes', 'admin'),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('not found'),
    });
  });
});
