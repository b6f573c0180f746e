import dns from 'node:dns';
import type { HostResolver } from '../domain/webhook.ts';

/**
 * The configuration check's name resolution over `dns.lookup` (the resolver sockets use too):
 * every address, or none when the name does not resolve. Tests pass a lookup that answers chosen
 * addresses.
 */
export function dnsHostResolver(lookup: typeof dns.lookup = dns.lookup): HostResolver {
  return {
    addresses: (host) =>
      new Promise<string[]>((done) =>
        lookup(host, { all: true }, (error, found) =>
          done(error ? [] : (found as unknown as dns.LookupAddress[]).map((a) => a.address)),
        ),
      ),
  };
}
