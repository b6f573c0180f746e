import { BlockList, isIP } from 'node:net';

/**
 * Which network addresses a webhook may never reach unless the operator allows them: everything
 * that is not the public internet. Checked on the URL when a webhook is saved and again on every
 * resolved address at connect time, so DNS rebinding cannot reach inside.
 */
const RANGES: {
  readonly reason: string;
  readonly v4?: readonly string[];
  readonly v6?: readonly string[];
}[] = [
  {
    reason: 'cloud metadata',
    v4: ['169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32'],
    v6: ['fd00:ec2::254/128'],
  },
  { reason: 'loopback', v4: ['127.0.0.0/8'], v6: ['::1/128'] },
  { reason: 'private', v4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], v6: ['fc00::/7'] },
  { reason: 'link-local', v4: ['169.254.0.0/16'], v6: ['fe80::/10'] },
  { reason: 'carrier-grade NAT', v4: ['100.64.0.0/10'] },
  { reason: 'multicast', v4: ['224.0.0.0/4'], v6: ['ff00::/8'] },
  {
    reason: 'reserved',
    v4: [
      '0.0.0.0/8',
      '192.0.0.0/24',
      '192.0.2.0/24',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '240.0.0.0/4',
      '255.255.255.255/32',
    ],
    v6: ['::/128', '100::/64', '2001:db8::/32', '2001::/23'],
  },
];

const lists = RANGES.map(({ reason, v4 = [], v6 = [] }) => {
  const list = new BlockList();
  for (const cidr of v4) {
    const [network, prefix] = cidr.split('/');
    list.addSubnet(network ?? '', Number(prefix), 'ipv4');
  }
  for (const cidr of v6) {
    const [network, prefix] = cidr.split('/');
    list.addSubnet(network ?? '', Number(prefix), 'ipv6');
  }
  return { reason, list };
});

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::/96`) IPv6 address. */
export function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex?.[1] || !hex[2]) return undefined;
  const high = Number.parseInt(hex[1], 16);
  const low = Number.parseInt(hex[2], 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Why an address may not be reached, or undefined for a public address. */
export function forbiddenReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const inner = family === 6 ? embeddedIpv4(address) : undefined;
  const [candidate, type] = inner
    ? [inner, 'ipv4' as const]
    : [address, family === 4 ? ('ipv4' as const) : ('ipv6' as const)];
  for (const { reason, list } of lists) {
    if (list.check(candidate, type)) return inner ? `${reason} (IPv4 inside IPv6)` : reason;
  }
  return undefined;
}

/**
 * The operator's allowlist: exact addresses or CIDR ranges (`127.0.0.1`, `10.1.0.0/16`,
 * `::1/128`). Allowed addresses pass even when they are in a forbidden range.
 */
export function parseAllowlist(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [network = '', prefix] = entry.trim().split('/');
    const family = isIP(network);
    if (family === 0) throw new Error(`allowlist entry '${entry}' is not an address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(network, type);
    else list.addSubnet(network, Number(prefix), type);
  }
  return (address) => {
    const family = isIP(address);
    if (family === 0) return false;
    const inner = family === 6 ? embeddedIpv4(address) : undefined;
    return inner
      ? list.check(inner, 'ipv4') || list.check(address, 'ipv6')
      : list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
