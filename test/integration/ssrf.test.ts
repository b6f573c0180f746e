import type dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../shared/domain/address-policy.ts';
import { checkWebhookUrl } from '../../shared/use-cases/webhooks.ts';
import { createWebhookSender } from '../../shared/webhooks/http-sender.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { startReceiver } from './receiver.ts';

/**
 * Name resolution the test controls (a fault that cannot otherwise be caused here: this machine
 * has no DNS server to make a name point at 169.254.169.254). Each name answers from a list, one
 * answer per lookup, so a name can change its answer between checks as a rebinding attack does.
 */
function fakeResolver(answers: Record<string, string[]>): typeof dns.lookup {
  const asked = new Map<string, number>();
  const resolve = (
    hostname: string,
    _options: unknown,
    callback: (e: Error | null, a: dns.LookupAddress[]) => void,
  ) => {
    const list = answers[hostname];
    if (!list)
      return callback(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
        [],
      );
    const index = asked.get(hostname) ?? 0;
    asked.set(hostname, index + 1);
    const address = list[Math.min(index, list.length - 1)] ?? '';
    callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
  };
  return resolve as unknown as typeof dns.lookup;
}

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;

beforeAll(async () => {
  // Production's policy: https only, nothing private, no allowlist.
  herald = await startTestHerald({ webhooksToLoopback: false });
  ({ api } = await sandboxWithKey(herald, ['webhooks:admin']));
});
afterAll(async () => {
  await herald?.stop();
});

describe('SSRF guard at configuration time', () => {
  it.each([
    ['plain http', 'http://example.com/hook', 'must be https'],
    ['a loopback literal', 'https://127.0.0.1/hook', 'loopback'],
    ['an IPv6 loopback literal', 'https://[::1]/hook', 'loopback'],
    ['a private literal', 'https://10.0.0.1/hook', 'private'],
    ['an IPv4-mapped IPv6 private literal', 'https://[::ffff:10.0.0.1]/hook', 'private (IPv4 inside IPv6)'],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data', 'cloud metadata'],
    ['a carrier-grade NAT address', 'https://100.64.0.1/hook', 'carrier-grade NAT'],
    ['a name that resolves to loopback', 'https://localhost/hook', 'loopback'],
  ])('refuses %s', async (_name, url, reason) => {
    const answer = await api.post<{ fields: { path: string; message: string }[] }>('/webhooks', {
      name: 'x',
      url,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.fields).toContainEqual({ path: 'body.url', message: expect.stringContaining(reason) });
  });

  it('refuses names that resolve to metadata or IPv4-mapped private addresses', async () => {
    const policy = {
      allowHttp: false,
      isAllowed: parseAllowlist([]),
      resolve: fakeResolver({ 'metadata.test': ['169.254.169.254'], 'mapped.test': ['::ffff:10.0.0.1'] }),
    };
    await expect(checkWebhookUrl('https://metadata.test/', policy)).rejects.toMatchObject({
      fields: [{ path: 'body.url', message: expect.stringContaining('cloud metadata') }],
    });
    await expect(checkWebhookUrl('https://mapped.test/', policy)).rejects.toMatchObject({
      fields: [{ path: 'body.url', message: expect.stringContaining('private') }],
    });
  });

  it("accepts what the operator's allowlist allows", async () => {
    const policy = { allowHttp: false, isAllowed: parseAllowlist(['10.1.0.0/16']) };
    await expect(checkWebhookUrl('https://10.1.2.3/hook', policy)).resolves.toBeUndefined();
    await expect(checkWebhookUrl('https://10.2.0.1/hook', policy)).rejects.toThrow();
  });
});

describe('SSRF guard at connect time', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver({
      '/to-metadata': () => ({
        status: 302,
        headers: { location: 'http://169.254.169.254/latest/meta-data' },
      }),
    });
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  it('refuses a name that passed the configuration check but now resolves inside (DNS rebinding)', async () => {
    const resolve = fakeResolver({ 'rebind.test': ['93.184.216.34', '127.0.0.1'] });
    const isAllowed = parseAllowlist([]);
    await expect(
      checkWebhookUrl(`http://rebind.test:${receiver.port}/hook`, { allowHttp: true, isAllowed, resolve }),
    ).resolves.toBeUndefined();
    const sender = createWebhookSender({ allowHttp: true, isAllowed, resolve });
    try {
      const before = receiver.received.length;
      const result = await sender.post(`http://rebind.test:${receiver.port}/hook`, {}, '{}', 2_000);
      expect(result.statusCode).toBeUndefined();
      expect(result.error).toBe('refused: rebind.test is resolved to 127.0.0.1, a loopback address');
      expect(receiver.received.length).toBe(before);
    } finally {
      sender.close();
    }
  });

  it.each([
    ['169.254.169.254', 'cloud metadata'],
    ['::ffff:10.0.0.1', 'private (IPv4 inside IPv6)'],
    ['127.0.0.1', 'loopback'],
  ])('refuses a name resolving to %s', async (address, reason) => {
    const sender = createWebhookSender({
      allowHttp: true,
      isAllowed: parseAllowlist([]),
      resolve: fakeResolver({ 'evil.test': [address] }),
    });
    try {
      const result = await sender.post('http://evil.test/hook', {}, '{}', 2_000);
      expect(result.error).toContain(reason);
    } finally {
      sender.close();
    }
  });

  it('refuses literal addresses too (no lookup happens for them)', async () => {
    const sender = createWebhookSender({ allowHttp: true, isAllowed: parseAllowlist([]) });
    try {
      expect((await sender.post(`http://127.0.0.1:${receiver.port}/hook`, {}, '{}', 2_000)).error).toContain(
        'loopback',
      );
      expect((await sender.post('http://[::ffff:7f00:1]/hook', {}, '{}', 2_000)).error).toContain('loopback');
    } finally {
      sender.close();
    }
  });

  it('never follows a redirect, so a redirect to the metadata address goes nowhere', async () => {
    const sender = createWebhookSender({ allowHttp: true, isAllowed: parseAllowlist(['127.0.0.1']) });
    try {
      const result = await sender.post(receiver.url('/to-metadata'), {}, '{}', 2_000);
      expect(result.statusCode).toBe(302);
      expect(receiver.received.filter((r) => r.path === '/to-metadata')).toHaveLength(1);
    } finally {
      sender.close();
    }
  });
});
