import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which network addresses a webhook may never reach unless the operator allows them: everything
 * that is not an ordinary public unicast address. Checked on the URL when a webhook is saved and
 * again on every resolved address at connect time, so DNS rebinding cannot reach inside.
 *
 * The special-purpose ranges are ipaddr.js's (`range()`); anything it names other than `unicast`
 * is refused, so a range a later version adds is refused too. Added here: the cloud metadata
 * endpoints (inside ranges that are refused anyway, but named, so the refusal says what it is),
 * the IPv6 space outside global unicast (`2000::/3`), and IPv6 forms that carry an IPv4 address,
 * which are judged on that address.
 */
type Address = ipaddr.IPv4 | ipaddr.IPv6;

const CLOUD_METADATA: readonly [Address, number][] = [
  '169.254.169.254/32', // AWS, GCP, Azure, OCI, DigitalOcean instance metadata
  '169.254.170.2/32', // ECS task metadata and credentials
  '169.254.170.23/32', // EKS Pod Identity agent (credentials)
  '100.100.100.200/32', // Alibaba Cloud instance metadata
  'fd00:ec2::254/128', // AWS instance metadata over IPv6
  'fd00:ec2::23/128', // EKS Pod Identity agent over IPv6
].map((cidr) => ipaddr.parseCIDR(cidr));

/** ipaddr.js range names in words; a name missing here is refused under its own name. */
const REASONS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'site-local',
  reserved: 'reserved',
  discard: 'discard-only',
  benchmarking: 'benchmarking',
  as112: 'special-purpose (AS112 DNS)',
  as112v6: 'special-purpose (AS112 DNS)',
  amt: 'special-purpose (AMT relay)',
  deprecatedOrchid: 'special-purpose (ORCHID)',
  orchid2: 'special-purpose (ORCHID)',
  droneRemoteIdProtocolEntityTags: 'special-purpose (drone remote ID)',
  segmentRouting: 'special-purpose (segment routing)',
};

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const THIS_NETWORK_V4 = ipaddr.parseCIDR('0.0.0.0/8');

/**
 * Parses an address as the socket layer reads it: IPv4 only in four-part decimal (no `0x7f.1` or
 * octal), IPv6 with any zone id dropped (it does not change the range). IPv6 goes through the
 * WHATWG parser first because ipaddr.js reads the IPv4-compatible `::a.b.c.d` as IPv4-mapped.
 */
export function parseAddress(text: string): Address | undefined {
  const bare = text.split('%')[0] ?? '';
  const family = isIP(bare);
  if (family === 4) return ipaddr.IPv4.isValidFourPartDecimal(bare) ? ipaddr.IPv4.parse(bare) : undefined;
  if (family !== 6) return undefined;
  try {
    return ipaddr.IPv6.parse(new URL(`http://[${bare}]/`).hostname.slice(1, -1));
  } catch {
    return undefined;
  }
}

function ipv4(bytes: readonly number[], start: number, xor = 0): ipaddr.IPv4 {
  return new ipaddr.IPv4([0, 1, 2, 3].map((i) => ((bytes[start + i] ?? 0) ^ xor) & 0xff));
}

/** An IPv4 address carried inside an IPv6 one, and where it sits. */
export interface EmbeddedIpv4 {
  readonly form: string;
  readonly address: ipaddr.IPv4;
}

/**
 * The IPv4 addresses an IPv6 address carries, or undefined when it is not one of the embedding
 * forms: IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d` (RFC 6145),
 * IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96` (RFC 6052), local-use NAT64 `64:ff9b:1::/48`
 * (RFC 8215), 6to4 `2002::/16` (bits 16–48) and Teredo `2001::/32` (the server in bits 32–64, the
 * client in the last 32 bits inverted). Each one is judged; any refused one refuses the address.
 */
export function embeddedIpv4(address: ipaddr.IPv6): EmbeddedIpv4[] | undefined {
  const b = address.toByteArray();
  const last = ipv4(b, 12);
  switch (address.range()) {
    case 'ipv4Mapped':
      return [{ form: 'IPv4-mapped', address: last }];
    case 'rfc6145':
      return [{ form: 'IPv4-translated', address: last }];
    case '6to4':
      return [{ form: '6to4', address: ipv4(b, 2) }];
    case 'teredo':
      return [
        { form: 'Teredo server', address: ipv4(b, 4) },
        { form: 'Teredo client', address: ipv4(b, 12, 0xff) },
      ];
    case 'rfc6052':
      return b[5] === 1 ? localUseNat64(b) : [{ form: 'NAT64', address: last }];
    case 'unicast':
      // ::/96 less :: and ::1 (which ipaddr.js names unspecified and loopback).
      return b.slice(0, 12).every((byte) => byte === 0)
        ? [{ form: 'IPv4-compatible', address: last }]
        : undefined;
    default:
      return undefined;
  }
}

/**
 * In `64:ff9b:1::/48` the operator picks the translation prefix, /48 to /96 (RFC 6052 §2.2), so
 * the IPv4 address may sit at any of those places: all are judged (the /48–/64 places only with a
 * zero u octet, as RFC 6052 requires). The zero bits of one layout read as `0.x.x.x` in another,
 * so places that read as 0.0.0.0/8 count only when every place does.
 */
function localUseNat64(b: readonly number[]): EmbeddedIpv4[] {
  const at = (form: string, bytes: number[]) => ({ form, address: ipv4(bytes, 0) });
  const places = [at('local-use NAT64 /96', b.slice(12, 16))];
  if (b[8] === 0) {
    places.push(
      at('local-use NAT64 /48', [b[6] ?? 0, b[7] ?? 0, b[9] ?? 0, b[10] ?? 0]),
      at('local-use NAT64 /56', [b[7] ?? 0, b[9] ?? 0, b[10] ?? 0, b[11] ?? 0]),
      at('local-use NAT64 /64', b.slice(9, 13)),
    );
  }
  const meaningful = places.filter((p) => !p.address.match(THIS_NETWORK_V4));
  return meaningful.length > 0 ? meaningful : places;
}

function rangeReason(address: Address): string | undefined {
  if (CLOUD_METADATA.some((range) => range[0].kind() === address.kind() && address.match(range))) {
    return 'cloud metadata';
  }
  const range = address.range();
  if (range !== 'unicast') return REASONS[range] ?? `special-purpose (${range})`;
  if (address instanceof ipaddr.IPv6 && !address.match(GLOBAL_UNICAST_V6)) return 'reserved';
  return undefined;
}

/** Why an address may not be reached, or undefined for a public address. */
export function forbiddenReason(text: string): string | undefined {
  const address = parseAddress(text);
  if (!address) return 'not an IP address';
  const embedded = address instanceof ipaddr.IPv6 ? embeddedIpv4(address) : undefined;
  if (!embedded) return rangeReason(address);
  for (const { form, address: inner } of embedded) {
    const reason = rangeReason(inner);
    if (reason) return `${reason} (${inner.toString()} inside ${form})`;
  }
  // The embedding ranges themselves are not refused: what they carry is judged instead.
  return undefined;
}

/**
 * Why a URL's port may not be used, or undefined. Port 0 is reserved: no receiver listens on it,
 * and what a connect to it does depends on the platform, so it is refused rather than tried.
 */
export function forbiddenPort(url: URL): string | undefined {
  return url.port === '0' ? 'port 0 is not a port a receiver can listen on' : undefined;
}

/** Where webhooks may point: the operator's choices (see README, Configuration). */
export interface UrlPolicy {
  readonly allowHttp: boolean;
  /** Addresses the operator allows even though they are private, loopback, … */
  readonly isAllowed: (address: string) => boolean;
}

export class ForbiddenAddressError extends Error {
  constructor(host: string, address: string, reason: string) {
    super(`refused: ${host} is ${address === host ? '' : `resolved to ${address}, `}a ${reason} address`);
    this.name = 'ForbiddenAddressError';
  }
}

/** Checks an address against the policy; undefined when it may be reached. */
export function refusal(
  host: string,
  address: string,
  isAllowed: (a: string) => boolean,
): ForbiddenAddressError | undefined {
  if (isAllowed(address)) return undefined;
  const reason = forbiddenReason(address);
  return reason ? new ForbiddenAddressError(host, address, reason) : undefined;
}

/** Why a webhook URL is refused before any name is resolved; each check words it its own way. */
export type UrlRefusal =
  | { readonly rule: 'scheme'; readonly protocol: string }
  | { readonly rule: 'credentials' }
  | { readonly rule: 'port'; readonly reason: string }
  | { readonly rule: 'address'; readonly error: ForbiddenAddressError };

/** A URL the policy lets through so far: its bare host, and whether that is an IP literal. */
export interface UrlTarget {
  readonly host: string;
  readonly literal: boolean;
}

/**
 * The webhook URL policy, written once for both of its checks (when a webhook is saved, and before
 * every delivery connects), in this order: the scheme (https; http only when the operator allows
 * it), credentials in the URL (refused when `refuseCredentials`: the configuration check; a
 * delivery sends what was saved), the port, and the address when the host is an IP literal. A
 * name is judged on what it resolves to, by the caller: the configuration check through its
 * resolver, the sender on the very addresses it connects to.
 */
export function checkUrlPolicy(
  url: URL,
  policy: UrlPolicy,
  options: { readonly refuseCredentials: boolean },
): UrlTarget | UrlRefusal {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return { rule: 'scheme', protocol: url.protocol };
  }
  if (options.refuseCredentials && (url.username || url.password)) return { rule: 'credentials' };
  const badPort = forbiddenPort(url);
  if (badPort) return { rule: 'port', reason: badPort };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isIP(host)) return { host, literal: false };
  const error = refusal(host, host, policy.isAllowed);
  return error ? { rule: 'address', error } : { host, literal: true };
}

/**
 * The operator's allowlist: exact addresses or CIDR ranges (`127.0.0.1`, `10.1.0.0/16`,
 * `::1/128`). Allowed addresses pass even when they are in a forbidden range; an IPv4-mapped
 * address (the same socket destination as its IPv4 address) passes when its IPv4 address does.
 */
export function parseAllowlist(entries: readonly string[]): (address: string) => boolean {
  const ranges = entries.map((entry): [Address, number] => {
    const [network = '', prefix, extra] = entry.trim().split('/');
    const address = parseAddress(network);
    const max = address?.kind() === 'ipv4' ? 32 : 128;
    const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (!address || extra !== undefined || !(bits >= 0 && bits <= max)) {
      throw new Error(`allowlist entry '${entry}' is not an address or CIDR range`);
    }
    return [address, bits];
  });
  const listed = (address: Address) =>
    ranges.some((range) => range[0].kind() === address.kind() && address.match(range));
  return (text) => {
    const address = parseAddress(text);
    if (!address) return false;
    if (listed(address)) return true;
    return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()
      ? listed(address.toIPv4Address())
      : false;
  };
}
