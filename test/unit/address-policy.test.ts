import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  checkUrlPolicy,
  embeddedIpv4,
  forbiddenPort,
  forbiddenReason,
  parseAddress,
  parseAllowlist,
  refusal,
} from '../../shared/domain/address-policy.ts';

describe('the webhook address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['fd12::1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.170.2', 'cloud metadata'],
    ['169.254.170.23', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fd00:ec2::23', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.51.100.1', 'reserved'],
    ['203.0.113.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['100::1', 'discard-only'],
    ['fec0::1', 'site-local'],
    ['2001:2::1', 'benchmarking'],
    ['5f00::1', 'special-purpose (segment routing)'],
    ['1::1', 'reserved'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(forbiddenReason(address)).toBe(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111'])(
    'allows public %s',
    (address) => {
      expect(forbiddenReason(address)).toBeUndefined();
    },
  );

  it.each(['localhost', '0x7f.0.0.1', '127.1', '010.0.0.1', '1.2.3.4.5', ':::1', ''])(
    'reads %j as no address at all (only what the socket layer reads as one is judged)',
    (text) => {
      expect(parseAddress(text)).toBeUndefined();
      expect(forbiddenReason(text)).toBe('not an IP address');
    },
  );

  it('refuses port 0 and nothing else', () => {
    expect(forbiddenPort(new URL('https://example.com:0/hook'))).toContain('port 0');
    expect(forbiddenPort(new URL('https://example.com:00/hook'))).toContain('port 0');
    expect(forbiddenPort(new URL('https://example.com/hook'))).toBeUndefined();
    expect(forbiddenPort(new URL('https://example.com:8443/hook'))).toBeUndefined();
  });
});

describe('IPv6 addresses that carry an IPv4 address are judged on it', () => {
  // Each form: one carrying a private (or otherwise refused) IPv4 address, one carrying a public one.
  it.each([
    ['IPv4-mapped', '::ffff:10.0.0.1', 'private (10.0.0.1 inside IPv4-mapped)', '::ffff:8.8.8.8'],
    ['IPv4-mapped, hex', '::ffff:7f00:1', 'loopback (127.0.0.1 inside IPv4-mapped)', '::ffff:808:808'],
    ['IPv4-translated', '::ffff:0:10.0.0.1', 'private (10.0.0.1 inside IPv4-translated)', '::ffff:0:8.8.8.8'],
    ['IPv4-compatible', '::10.0.0.1', 'private (10.0.0.1 inside IPv4-compatible)', '::8.8.8.8'],
    ['IPv4-compatible, hex', '::7f00:1', 'loopback (127.0.0.1 inside IPv4-compatible)', '::808:808'],
    ['NAT64', '64:ff9b::a9fe:a9fe', 'cloud metadata (169.254.169.254 inside NAT64)', '64:ff9b::8.8.8.8'],
    [
      'local-use NAT64 (/96 layout)',
      '64:ff9b:1::10.0.0.1',
      'private (10.0.0.1 inside local-use NAT64 /96)',
      '64:ff9b:1::8.8.8.8',
    ],
    ['6to4', '2002:a00:1::1', 'private (10.0.0.1 inside 6to4)', '2002:808:808::1'],
    [
      '6to4, other host bits',
      '2002:c0a8:101:5::ab',
      'private (192.168.1.1 inside 6to4)',
      '2002:5db8:d822:5::ab',
    ],
    // Teredo (RFC 4380 §4): server IPv4 in bits 32–64, client IPv4 inverted in the last 32 bits.
    [
      'Teredo (private server)',
      '2001:0:a00:1:8000:63bf:f7f7:f7f7',
      'private (10.0.0.1 inside Teredo server)',
      '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
    ],
    [
      'Teredo (private client)',
      '2001:0:4136:e378:8000:63bf:f5ff:fffe',
      'private (10.0.0.1 inside Teredo client)',
      '2001:0:4136:e378:8000:63bf:a247:2bdd',
    ],
  ])('%s: refuses %s, allows %s', (_form, refused, reason, allowed) => {
    expect(forbiddenReason(refused)).toBe(reason);
    expect(forbiddenReason(allowed)).toBeUndefined();
  });

  it("reads Teredo's client inverted, as RFC 4380's own example (client 192.0.2.45) shows", () => {
    const teredo = parseAddress('2001:0:4136:e378:8000:63bf:3fff:fdd2') as ipaddr.IPv6;
    expect(embeddedIpv4(teredo)?.map((e) => [e.form, e.address.toString()])).toEqual([
      ['Teredo server', '65.54.227.120'],
      ['Teredo client', '192.0.2.45'],
    ]);
    expect(forbiddenReason('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe(
      'reserved (192.0.2.45 inside Teredo client)',
    );
  });

  it('reads the IPv4-compatible form as RFC 4291 does, not as IPv4-mapped (ipaddr.js does)', () => {
    expect(ipaddr.parse('::10.0.0.1').toString()).toBe('::ffff:a00:1');
    expect(parseAddress('::10.0.0.1')?.toString()).toBe('::a00:1');
    expect(embeddedIpv4(parseAddress('::10.0.0.1') as ipaddr.IPv6)?.[0]?.form).toBe('IPv4-compatible');
  });

  it('judges local-use NAT64 at every place the operator’s prefix length may put the IPv4 address', () => {
    // 10.0.0.1 with a /64 prefix (RFC 6052 §2.2): bits 72–104, after the zero u octet.
    expect(forbiddenReason('64:ff9b:1:0:a:0:100:0')).toBe('private (10.0.0.1 inside local-use NAT64 /64)');
    // With a /48 prefix: bits 48–64 and 72–88.
    expect(forbiddenReason('64:ff9b:1:a00:0:100::')).toBe('private (10.0.0.1 inside local-use NAT64 /48)');
    // With a /56 prefix: bits 56–64 and 72–96.
    expect(forbiddenReason('64:ff9b:1:a:0:1::')).toBe('private (10.0.0.1 inside local-use NAT64 /56)');
    // 8.8.8.8 in the /48 layout: the other places read public addresses or 0.0.0.0/8 zero bits.
    expect(forbiddenReason('64:ff9b:1:808:8:800::')).toBeUndefined();
    // A non-zero u octet rules the /48–/64 layouts out; only the /96 one is left.
    expect(forbiddenReason('64:ff9b:1:a00:100:1:808:808')).toBeUndefined();
    // Nothing but zeros: 0.0.0.0 at every place.
    expect(forbiddenReason('64:ff9b:1::')).toBe('unspecified (0.0.0.0 inside local-use NAT64 /96)');
  });

  it('leaves ordinary IPv6 addresses alone', () => {
    expect(embeddedIpv4(parseAddress('2606:4700:4700::1111') as ipaddr.IPv6)).toBeUndefined();
    expect(embeddedIpv4(parseAddress('2001:db8::1') as ipaddr.IPv6)).toBeUndefined();
  });
});

describe("the operator's allowlist", () => {
  it('allows addresses and ranges, IPv4-mapped forms included', () => {
    const allowed = parseAllowlist(['127.0.0.1', '10.1.0.0/16', '::1']);
    expect(allowed('127.0.0.1')).toBe(true);
    expect(allowed('127.0.0.2')).toBe(false);
    expect(allowed('10.1.200.3')).toBe(true);
    expect(allowed('10.2.0.1')).toBe(false);
    expect(allowed('::ffff:127.0.0.1')).toBe(true);
    expect(allowed('::ffff:7f00:1')).toBe(true);
    expect(allowed('::1')).toBe(true);
    expect(allowed('not-an-ip')).toBe(false);
  });

  it('does not stretch an IPv4 entry to the other embedding forms (their traffic goes elsewhere)', () => {
    const allowed = parseAllowlist(['10.1.0.0/16']);
    expect(allowed('2002:a01:203::1')).toBe(false);
    expect(allowed('64:ff9b::10.1.2.3')).toBe(false);
    expect(allowed('::10.1.2.3')).toBe(false);
  });

  it.each(['localhost', '10.0.0.0/33', '10.0.0.0/x', '10.0.0.0/', '::1/129', '1.2.3.4/8/9', '127.1'])(
    'refuses the entry %j',
    (entry) => {
      expect(() => parseAllowlist([entry])).toThrow('not an address or CIDR range');
    },
  );
});

describe('the webhook URL policy (one check: at configuration time and before each connect)', () => {
  const strict = { allowHttp: false, isAllowed: parseAllowlist([]) };
  const check = (url: string, policy = strict, refuseCredentials = true) =>
    checkUrlPolicy(new URL(url), policy, { refuseCredentials });

  it('lets a public name through for its caller to resolve, and a public literal as it is', () => {
    expect(check('https://example.com/hook')).toEqual({ host: 'example.com', literal: false });
    expect(check('https://[2606:4700::1111]:8443/hook')).toEqual({ host: '2606:4700::1111', literal: true });
  });

  it('refuses http unless the operator allows it', () => {
    expect(check('http://example.com/hook')).toEqual({ rule: 'scheme', protocol: 'http:' });
    expect(check('ftp://example.com/hook', { ...strict, allowHttp: true })).toEqual({
      rule: 'scheme',
      protocol: 'ftp:',
    });
    expect(check('http://example.com/hook', { ...strict, allowHttp: true })).toEqual({
      host: 'example.com',
      literal: false,
    });
  });

  it('refuses credentials only when asked to (the configuration check), in its order', () => {
    expect(check('https://u:p@example.com/hook')).toEqual({ rule: 'credentials' });
    expect(check('https://u:p@example.com/hook', strict, false)).toEqual({
      host: 'example.com',
      literal: false,
    });
    // The scheme is judged first, then credentials, then the port.
    expect(check('http://u@example.com:0/hook')).toEqual({ rule: 'scheme', protocol: 'http:' });
    expect(check('https://u@example.com:0/hook')).toEqual({ rule: 'credentials' });
  });

  it('refuses port 0 and forbidden literals, and lets allowed ones through', () => {
    expect(check('https://93.184.216.34:0/hook')).toMatchObject({
      rule: 'port',
      reason: expect.stringContaining('port 0'),
    });
    const loopback = check('https://[::1]/hook');
    expect(loopback).toMatchObject({ rule: 'address' });
    expect('rule' in loopback && loopback.rule === 'address' && loopback.error.message).toBe(
      'refused: ::1 is a loopback address',
    );
    expect(check('https://10.1.2.3/hook', { ...strict, isAllowed: parseAllowlist(['10.1.0.0/16']) })).toEqual(
      {
        host: '10.1.2.3',
        literal: true,
      },
    );
  });

  it('words a resolved address refusal with the name and the address', () => {
    expect(refusal('evil.test', '169.254.169.254', strict.isAllowed)?.message).toBe(
      'refused: evil.test is resolved to 169.254.169.254, a cloud metadata address',
    );
    expect(refusal('evil.test', '93.184.216.34', strict.isAllowed)).toBeUndefined();
    expect(refusal('evil.test', '127.0.0.1', parseAllowlist(['127.0.0.1']))).toBeUndefined();
  });
});
