import type dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../shared/domain/address-policy.ts';
import { checkWebhookUrl } from '../../shared/use-cases/webhooks.ts';
import { dnsHostResolver } from '../../shared/webhooks/dns-resolver.ts';
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

/** For URLs with IP literals, which are never looked up. */
const literalsOnly = dnsHostResolver(fakeResolver({}));

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
    [
      'an IPv4-mapped IPv6 private literal',
      'https://[::ffff:10.0.0.1]/hook',
      'private (10.0.0.1 inside IPv4-mapped)',
    ],
    [
      'a 6to4 literal carrying a private address',
      'https://[2002:a00:1::1]/hook',
      'private (10.0.0.1 inside 6to4)',
    ],
    [
      'a Teredo literal whose client is loopback',
      'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook',
      'loopback (127.0.0.1 inside Teredo client)',
    ],
    [
      'a NAT64 literal carrying the metadata address',
      'https://[64:ff9b::169.254.169.254]/latest/meta-data',
      'cloud metadata (169.254.169.254 inside NAT64)',
    ],
    [
      'an IPv4-compatible literal',
      'https://[::127.0.0.1]/hook',
      'loopback (127.0.0.1 inside IPv4-compatible)',
    ],
    ['port 0', 'https://93.184.216.34:0/hook', 'port 0'],
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
    const policy = { allowHttp: false, isAllowed: parseAllowlist([]) };
    const resolver = dnsHostResolver(
      fakeResolver({ 'metadata.test': ['169.254.169.254'], 'mapped.test': ['::ffff:10.0.0.1'] }),
    );
    await expect(checkWebhookUrl('https://metadata.test/', policy, resolver)).rejects.toMatchObject({
      fields: [{ path: 'body.url', message: expect.stringContaining('cloud metadata') }],
    });
    await expect(checkWebhookUrl('https://mapped.test/', policy, resolver)).rejects.toMatchObject({
      fields: [{ path: 'body.url', message: expect.stringContaining('private') }],
    });
  });

  it('accepts an embedding form that carries a public address (judged on the address it carries)', async () => {
    const policy = { allowHttp: false, isAllowed: parseAllowlist([]) };
    await expect(
      checkWebhookUrl('https://[2002:5db8:d822::1]/hook', policy, literalsOnly),
    ).resolves.toBeUndefined();
    await expect(
      checkWebhookUrl('https://[64:ff9b::93.184.216.34]/hook', policy, literalsOnly),
    ).resolves.toBeUndefined();
  });

  it("accepts what the operator's allowlist allows", async () => {
    const policy = { allowHttp: false, isAllowed: parseAllowlist(['10.1.0.0/16']) };
    await expect(checkWebhookUrl('https://10.1.2.3/hook', policy, literalsOnly)).resolves.toBeUndefined();
    await expect(checkWebhookUrl('https://10.2.0.1/hook', policy, literalsOnly)).rejects.toThrow();
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
      checkWebhookUrl(
        `http://rebind.test:${receiver.port}/hook`,
        { allowHttp: true, isAllowed },
        dnsHostResolver(resolve),
      ),
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
    ['::ffff:10.0.0.1', 'private (10.0.0.1 inside IPv4-mapped)'],
    ['127.0.0.1', 'loopback'],
    ['2002:7f00:1::1', 'loopback (127.0.0.1 inside 6to4)'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata (169.254.169.254 inside NAT64)'],
    ['64:ff9b:1::10.0.0.1', 'private (10.0.0.1 inside local-use NAT64 /96)'],
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'private (10.0.0.1 inside Teredo server)'],
    ['::ffff:0:7f00:1', 'loopback (127.0.0.1 inside IPv4-translated)'],
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
      expect((await sender.post('http://[2002:7f00:1::1]/hook', {}, '{}', 2_000)).error).toContain(
        'loopback (127.0.0.1 inside 6to4)',
      );
    } finally {
      sender.close();
    }
  });

  it('refuses a 6to4 name before any connection, even where the operator allows the IPv4 inside', async () => {
    // The allowlist names 127.0.0.1, so the receiver itself is reachable; the 6to4 form is not.
    const isAllowed = parseAllowlist(['127.0.0.1']);
    const resolve = fakeResolver({ 'sixtofour.test': ['2002:7f00:1::1'], 'plain.test': ['127.0.0.1'] });
    const sender = createWebhookSender({ allowHttp: true, isAllowed, resolve });
    try {
      const before = receiver.received.length;
      const refused = await sender.post(`http://sixtofour.test:${receiver.port}/hook`, {}, '{}', 2_000);
      expect(refused.error).toBe(
        'refused: sixtofour.test is resolved to 2002:7f00:1::1, a loopback (127.0.0.1 inside 6to4) address',
      );
      expect(receiver.received.length).toBe(before);
      // The same receiver through a name the policy allows: the refusal above was the policy's.
      const reached = await sender.post(`http://plain.test:${receiver.port}/hook`, {}, '{}', 2_000);
      expect(reached.statusCode).toBe(204);
      expect(receiver.received.length).toBe(before + 1);
    } finally {
      sender.close();
    }
  });

  it('refuses port 0 before connecting, whatever the address', async () => {
    const sender = createWebhookSender({ allowHttp: true, isAllowed: parseAllowlist(['127.0.0.1']) });
    try {
      const result = await sender.post('http://127.0.0.1:0/hook', {}, '{}', 2_000);
      expect(result.statusCode).toBeUndefined();
      expect(result.error).toBe('refused: port 0 is not a port a receiver can listen on');
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
