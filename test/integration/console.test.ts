import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * The console's files through the real HTTP routes (the build `test/global-setup.ts` makes): the
 * page and its assets need no key, carry a CSP that allows only this origin, and no path outside
 * the assets folder can be read; `GET /whoami` tells a key its sandbox and scopes, and asks for a key.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let reader: { sandbox: string; api: Client };

beforeAll(async () => {
  herald = await startTestHerald();
  reader = await sandboxWithKey(herald, ['campaigns:read', 'executions:read']);
});
afterAll(async () => {
  await herald?.stop();
});

describe('GET /console', () => {
  it('serves the page without a key, revalidated, with a same-origin-only CSP', async () => {
    const answer = await fetch(`${herald.url}/console`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-cache');
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const page = await answer.text();
    expect(page).toContain('<div id="app">');
    // Nothing from another origin: every script and style sheet is one of ours.
    expect(page).not.toMatch(/(src|href)="https?:/);
  });

  it('serves every asset the page names, immutable, with its media type', async () => {
    const page = await (await fetch(`${herald.url}/console`)).text();
    const assets = [...page.matchAll(/"(\/console\/assets\/[\w.-]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const asset of assets) {
      const answer = await fetch(`${herald.url}${asset}`);
      expect(answer.status, asset).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(answer.headers.get('content-type')).toMatch(
        asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
      );
      expect((await answer.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });

  it('answers 404 for an unknown asset and 400 naming the field for a name that is a path', async () => {
    const missing = await fetch(`${herald.url}/console/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    for (const name of ['a%00.js', '..%2Fpackage.json', '%2Fetc%2Fpasswd', 'index']) {
      const answer = await fetch(`${herald.url}/console/assets/${name}`);
      expect(answer.status, name).toBe(400);
      const problem = (await answer.json()) as { fields: { path: string }[] };
      expect(problem.fields.map((f) => f.path)).toContain('path.file');
    }
  });
});

describe('GET /whoami', () => {
  it('tells a sandbox key its sandbox and scopes, and the root key that it has none', async () => {
    const me = await reader.api.get('/whoami');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      kind: 'sandbox',
      keyId: expect.any(String),
      sandbox: reader.sandbox,
      scopes: ['campaigns:read', 'executions:read'],
    });
    const root = await herald.root.get('/whoami');
    expect(root.body).toEqual({ kind: 'root', keyId: expect.any(String), scopes: [] });
  });

  it('asks for a key', async () => {
    const answer = await fetch(`${herald.url}/whoami`);
    expect(answer.status).toBe(401);
  });
});
