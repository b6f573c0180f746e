import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_ENTRY,
  bundleFunction,
  esbuildOptions,
  LAMBDA_ALIASES,
  outputsAtImport,
  TRACING_OFF_ALIASES,
} from '../../infra/constructs/bundling.ts';
import { PROJECT_ROOT } from '../../infra/constructs/herald-function.ts';
import { defaultProvider } from '../../shared/aws/env-credentials.ts';
import { functionDefinitions } from '../../shared/definitions/functions.ts';

const run = promisify(execFile);
const root = mkdtempSync(path.join(os.tmpdir(), 'herald-bundling-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The SDK's default credential chain beyond the environment: none of it may be in a Lambda bundle. */
const CHAIN =
  /node_modules\/(@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|http|login)|nested-clients|token-providers)|@smithy\/credential-provider-imds)\//;

/** Builds with the project's own esbuild options (those `bundleFunction` runs). */
async function bundle(name: string, entry: string | { contents: string }, tracing?: boolean) {
  const outdir = path.join(root, name);
  const options = esbuildOptions(typeof entry === 'string' ? entry : '', outdir, tracing);
  const result = await build(
    typeof entry === 'string'
      ? options
      : { ...options, entryPoints: [], stdin: { ...entry, resolveDir: PROJECT_ROOT, loader: 'ts' } },
  );
  return { file: path.join(outdir, BUNDLE_ENTRY), metafile: result.metafile };
}

const inputs = (metafile: Metafile) => Object.keys(metafile.inputs);

describe('the Lambda bundles', () => {
  it('alias the default credential chain to the environment provider, and node:http to require()', () => {
    expect(LAMBDA_ALIASES).toEqual({
      '@aws-sdk/credential-provider-node': './shared/aws/env-credentials.ts',
      'node:http': './shared/aws/node-http.ts',
    });
  });

  it('leave the X-Ray SDK out unless herald:tracing is on, and then hold the Powertools Tracer', async () => {
    expect(TRACING_OFF_ALIASES).toEqual({ '@aws-lambda-powertools/tracer': './shared/aws/tracer-off.ts' });
    const entry = path.join(PROJECT_ROOT, 'functions/api/system.lambda.ts');
    const xray = (i: string) => i.includes('node_modules/aws-xray-sdk-core/');
    const off = inputs((await bundle('tracing-off', entry)).metafile);
    expect(off).toContain('shared/aws/tracer-off.ts');
    expect(off.filter(xray)).toEqual([]);
    const on = inputs((await bundle('tracing-on', entry, true)).metafile);
    expect(on.some(xray)).toBe(true);
    expect(on.some((i) => i.includes('node_modules/@aws-lambda-powertools/tracer/'))).toBe(true);
    // The stub is in both: shared/tracing.ts runs it wherever the Tracer could not be on.
  }, 60_000);

  // The scheduler has only the SDK's HTTP use; feedback sends webhooks over node:http itself.
  it.each(['scheduler', 'workers/feedback'])(
    '%s holds no part of the default credential chain, and imports node:http only through require()',
    async (name) => {
      const definition = functionDefinitions.find((f) => f.entry === `functions/${name}.lambda.ts`);
      if (!definition) throw new Error(`the function table has no ${name}`);
      const { metafile } = await bundle(name, path.join(PROJECT_ROOT, definition.entry));
      const all = inputs(metafile);
      expect(all.filter((i) => CHAIN.test(i))).toEqual([]);
      expect(all).toContain('shared/aws/env-credentials.ts');
      expect(all.some((i) => i.includes('node_modules/@aws-sdk/credential-provider-env/'))).toBe(true);
      const imports = Object.values(metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
      expect(imports).not.toContain('node:http');
    },
    60_000,
  );

  it('send webhooks with the node:http they get, in a fresh process', async () => {
    const { file } = await bundle('sender', {
      contents: "export { createWebhookSender } from './shared/webhooks/http-sender.ts';",
    });
    // A receiver in the child (its own import of node:http), and the bundled sender posting to it.
    const child = `
      import { createServer } from 'node:http';
      const { createWebhookSender } = await import(process.argv[1]);
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => { body += chunk; });
        req.on('end', () => res.writeHead(202, { 'x-got': body }).end('thanks'));
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const sender = createWebhookSender({ isAllowed: () => true, allowHttp: true });
      const result = await sender.post('http://127.0.0.1:' + server.address().port + '/hook', { 'content-type': 'text/plain' }, 'ping', 5000);
      sender.close();
      server.close();
      process.stdout.write(JSON.stringify({ status: result.statusCode, got: result.headers?.['x-got'], body: result.body, error: result.error }));`;
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', child, pathToFileURL(file).href],
      { env: { PATH: process.env.PATH ?? '' }, timeout: 20_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ status: 202, got: 'ping', body: 'thanks' });
  }, 60_000);

  describe('resolve credentials from the environment, in a fresh process', () => {
    let clients: string;
    beforeAll(async () => {
      clients = (
        await bundle('clients', {
          contents: [
            "export { createDocumentClient } from './shared/store/dynamodb-client.ts';",
            "export { createSqsClient } from './shared/queue/sqs-client.ts';",
            "export { ListTablesCommand } from '@aws-sdk/client-dynamodb';",
          ].join('\n'),
        })
      ).file;
    }, 60_000);

    // Both clients, as a composition root builds them; each resolves twice (memoised: same object).
    const child = `
      const { createDocumentClient, createSqsClient } = await import(process.argv[1]);
      const out = {};
      for (const [name, client] of [['dynamodb', createDocumentClient()], ['sqs', createSqsClient()]]) {
        try {
          const first = await client.config.credentials();
          const again = await client.config.credentials();
          out[name] = { ...first, memoised: first === again };
        } catch (error) {
          out[name] = { error: error.name, message: error.message };
        }
      }
      process.stdout.write(JSON.stringify(out));`;
    const resolve = async (env: Record<string, string>) => {
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', child, pathToFileURL(clients).href],
        // Only what a Lambda would set: no HOME, so no profile files either way.
        { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', ...env }, timeout: 20_000 },
      );
      return JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    };

    it('the key, secret and session token Lambda sets', async () => {
      const out = await resolve({
        AWS_ACCESS_KEY_ID: 'ASIAFAKEFAKEFAKEFAKE',
        AWS_SECRET_ACCESS_KEY: 'fake-secret',
        AWS_SESSION_TOKEN: 'fake-session-token',
      });
      for (const name of ['dynamodb', 'sqs']) {
        expect(out[name]).toMatchObject({
          accessKeyId: 'ASIAFAKEFAKEFAKEFAKE',
          secretAccessKey: 'fake-secret',
          sessionToken: 'fake-session-token',
          memoised: true,
        });
        expect(out[name]).not.toHaveProperty('expiration');
      }
    }, 30_000);

    it('and sign a request with them, sent over the bundled http handler', async () => {
      const signed = `
        import { createServer } from 'node:http';
        const { createDocumentClient, ListTablesCommand } = await import(process.argv[1]);
        let seen;
        const server = createServer((req, res) => {
          seen = { authorization: req.headers.authorization, token: req.headers['x-amz-security-token'] };
          req.resume();
          req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"TableNames":["t"]}'));
        });
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
        const client = createDocumentClient({ endpoint: 'http://127.0.0.1:' + server.address().port });
        const answer = await client.send(new ListTablesCommand({}));
        server.close();
        process.stdout.write(JSON.stringify({ tables: answer.TableNames, ...seen }));`;
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', signed, pathToFileURL(clients).href],
        {
          env: {
            PATH: process.env.PATH ?? '',
            AWS_REGION: 'eu-west-1',
            AWS_ACCESS_KEY_ID: 'ASIAFAKEFAKEFAKEFAKE',
            AWS_SECRET_ACCESS_KEY: 'fake-secret',
            AWS_SESSION_TOKEN: 'fake-session-token',
          },
          timeout: 20_000,
        },
      );
      const out = JSON.parse(stdout) as { tables: string[]; authorization: string; token: string };
      expect(out.tables).toEqual(['t']);
      expect(out.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIAFAKEFAKEFAKEFAKE\/\d{8}\/eu-west-1\/dynamodb\//,
      );
      expect(out.token).toBe('fake-session-token');
    }, 30_000);

    it('and fail at once without them, instead of trying profiles or instance metadata', async () => {
      const out = await resolve({ AWS_PROFILE: 'someone' });
      for (const name of ['dynamodb', 'sqs']) {
        expect(out[name]).toEqual({
          error: 'CredentialsProviderError',
          message: 'Unable to find environment variable credentials.',
        });
      }
    }, 30_000);
  });
});

describe('code splitting and shipped files (ADR 0031)', () => {
  const inputsOf = (metafile: Metafile, outputs: Iterable<string>) =>
    [...outputs].flatMap((o) =>
      Object.entries(metafile.outputs[o]?.inputs ?? {})
        .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
        .map(([input]) => input),
    );
  /** A bundle of `contents` (an entry written beside its output), built as the stack builds one. */
  const built = (name: string, contents: string) => {
    const entry = path.join(root, `${name}.ts`);
    writeFileSync(entry, contents);
    const outdir = path.join(root, name);
    return { outdir, ...bundleFunction(entry, outdir) };
  };
  const child = async (file: string, script: string) =>
    JSON.parse(
      (
        await run(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
          env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1' },
          timeout: 20_000,
        })
      ).stdout,
    );

  it('the dispatcher imports no provider adapter at start: each SDK client and nodemailer is in a chunk of its own', () => {
    const outdir = path.join(root, 'dispatch');
    const { metafile, files } = bundleFunction(
      path.join(PROJECT_ROOT, 'functions/workers/dispatch.lambda.ts'),
      outdir,
    );
    const lazy = /node_modules\/(nodemailer|@aws-sdk\/client-(sesv2|sns|pinpoint-sms-voice-v2|kms))\//;
    const loaded = inputsOf(metafile, outputsAtImport(metafile, outdir));
    expect(loaded.filter((i) => lazy.test(i))).toEqual([]);
    expect(loaded).toContain('shared/channels/provider-directory.ts');
    const all = inputsOf(metafile, Object.keys(metafile.outputs));
    for (const pkg of [
      'nodemailer',
      'client-sesv2',
      'client-sns',
      'client-pinpoint-sms-voice-v2',
      'client-kms',
    ])
      expect(
        all.some((i) => i.includes(`/${pkg}/`)),
        pkg,
      ).toBe(true);
    expect(files.filter((f) => f.startsWith('chunks/') && f.endsWith('.mjs')).length).toBeGreaterThan(4);
  }, 60_000);

  it('a chunk loaded by import() runs in a fresh process (CommonJS requires included)', async () => {
    const { outdir } = built(
      'lazy',
      `export async function load() {
        const { createSesClient } = await import('${PROJECT_ROOT}/shared/channels/ses-provider.ts');
        const { SmtpProviderCache } = await import('${PROJECT_ROOT}/shared/channels/smtp-provider.ts');
        return [typeof createSesClient().send, new SmtpProviderCache().size];
      }`,
    );
    const out = await child(
      path.join(outdir, BUNDLE_ENTRY),
      'const { load } = await import(process.argv[1]); process.stdout.write(JSON.stringify(await load()));',
    );
    expect(out).toEqual(['function', 0]);
  }, 60_000);

  it('a bundle that reads phone numbers ships libphonenumber-js beside it, not in its code, and requires it from there', async () => {
    const { outdir, files, metafile } = built(
      'phone',
      `export { normalizePhone } from '${PROJECT_ROOT}/shared/domain/phone.ts';`,
    );
    expect(files.filter((f) => f.startsWith('node_modules/'))).toEqual([
      'node_modules/libphonenumber-js/core.cjs',
      'node_modules/libphonenumber-js/metadata.min.json',
      'node_modules/libphonenumber-js/package.json',
    ]);
    // Neither the library nor its metadata is in the bundle's code.
    expect(Object.keys(metafile.inputs).filter((i) => i.includes('libphonenumber-js'))).toEqual([]);
    const script = `const { normalizePhone } = await import(process.argv[1]);
      process.stdout.write(JSON.stringify([normalizePhone('+1 415 555 0123'), normalizePhone('06 12 34 56 78', { defaultCountry: 'FR' }), normalizePhone('+1 415')]));`;
    const file = path.join(outdir, BUNDLE_ENTRY);
    expect(await child(file, script)).toEqual([
      { ok: true, value: '+14155550123' },
      { ok: true, value: '+33612345678' },
      { ok: false, message: 'must be a phone number in E.164 form, e.g. +14155550123' },
    ]);
    // The bundle is outside the project: without the shipped file there is nothing to read.
    rmSync(path.join(outdir, 'node_modules'), { recursive: true });
    await expect(child(file, script)).rejects.toThrow(/Cannot find module 'libphonenumber-js\/core'/);
  }, 60_000);

  it('a bundle that reads no phone number ships no package', () => {
    const outdir = path.join(root, 'admin');
    const { files } = bundleFunction(path.join(PROJECT_ROOT, 'functions/api/admin.lambda.ts'), outdir);
    expect(files).toContain(BUNDLE_ENTRY);
    expect(files.filter((f) => f.startsWith('node_modules/'))).toEqual([]);
    expect(existsSync(path.join(outdir, 'console'))).toBe(false);
  }, 60_000);
});

describe('the environment credential provider', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });
  const set = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };

  it('reads the variables once, and again when the SDK forces a refresh', async () => {
    set({ AWS_ACCESS_KEY_ID: 'first', AWS_SECRET_ACCESS_KEY: 's', AWS_CREDENTIAL_EXPIRATION: undefined });
    const provider = defaultProvider();
    const first = await provider();
    set({ AWS_ACCESS_KEY_ID: 'second' });
    expect(await provider()).toBe(first);
    expect((await provider({ forceRefresh: true })).accessKeyId).toBe('second');
    expect((await provider()).accessKeyId).toBe('second');
  });

  it('reads them again when the credentials expire within five minutes', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    set({ AWS_ACCESS_KEY_ID: 'first', AWS_SECRET_ACCESS_KEY: 's', AWS_CREDENTIAL_EXPIRATION: soon });
    const provider = defaultProvider();
    expect((await provider()).accessKeyId).toBe('first');
    set({
      AWS_ACCESS_KEY_ID: 'second',
      AWS_CREDENTIAL_EXPIRATION: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const renewed = await provider();
    expect(renewed.accessKeyId).toBe('second');
    expect(await provider()).toBe(renewed);
  });

  it('does not keep a failed read', async () => {
    set({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const provider = defaultProvider();
    await expect(provider()).rejects.toThrow('Unable to find environment variable credentials.');
    set({ AWS_ACCESS_KEY_ID: 'late', AWS_SECRET_ACCESS_KEY: 's' });
    expect((await provider()).accessKeyId).toBe('late');
  });
});
