import type { HeraldConfig } from '../config.ts';
import { parseAllowlist } from '../domain/address-policy.ts';
import { ValidationError } from '../domain/errors.ts';
import type { HostResolver } from '../domain/webhook.ts';
import type { TargetCheck } from '../use-cases/channel-configurations.ts';
import { resolvedHostRefusal } from '../use-cases/webhooks.ts';
import { dnsHostResolver } from '../webhooks/dns-resolver.ts';

/**
 * The SSRF policy for a provider's host (an SMTP server), the webhooks' own: every address the host
 * resolves to now must be public or allowed by HERALD_WEBHOOK_ALLOWED_ADDRESSES. The SMTP client
 * checks again when it connects (a later answer may differ).
 */
export function targetCheck(config: HeraldConfig, resolver: HostResolver = dnsHostResolver()): TargetCheck {
  const isAllowed = parseAllowlist(config.HERALD_WEBHOOK_ALLOWED_ADDRESSES);
  return async ({ host }, path) => {
    const refused = await resolvedHostRefusal(host.replace(/^\[|\]$/g, ''), isAllowed, resolver);
    if (refused) throw new ValidationError([{ path, message: refused }]);
  };
}
