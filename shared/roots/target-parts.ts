import dns from 'node:dns';
import { isIP } from 'node:net';
import type { HeraldConfig } from '../config.ts';
import { parseAllowlist } from '../domain/address-policy.ts';
import { ValidationError } from '../domain/errors.ts';
import type { TargetCheck } from '../use-cases/channel-configurations.ts';
import { refusal } from '../webhooks/http-sender.ts';

/**
 * The SSRF policy for a provider's host (an SMTP server), the webhooks' own: every address the host
 * resolves to now must be public or allowed by HERALD_WEBHOOK_ALLOWED_ADDRESSES. The SMTP client
 * checks again when it connects (a later answer may differ).
 */
export function targetCheck(config: HeraldConfig, resolve: typeof dns.lookup = dns.lookup): TargetCheck {
  const isAllowed = parseAllowlist(config.HERALD_WEBHOOK_ALLOWED_ADDRESSES);
  return async ({ host }, path) => {
    const bare = host.replace(/^\[|\]$/g, '');
    const addresses = isIP(bare)
      ? [bare]
      : await new Promise<string[]>((done) =>
          resolve(bare, { all: true }, (error, found) =>
            done(error ? [] : (found as unknown as dns.LookupAddress[]).map((a) => a.address)),
          ),
        );
    if (addresses.length === 0)
      throw new ValidationError([{ path, message: `host '${bare}' does not resolve` }]);
    for (const address of addresses) {
      const refused = refusal(bare, address, isAllowed);
      if (refused)
        throw new ValidationError([{ path, message: `${refused.message} (not allowed by the operator)` }]);
    }
  };
}
