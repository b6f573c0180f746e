import type { Clock } from '../domain/clock.ts';
import { ConcurrentUpdateError, UnsubscribeLinkNotFoundError } from '../domain/errors.ts';
import { type ProfileStore, withdrawMarketingConsent } from '../domain/profile.ts';
import {
  type UnsubscribeClaims,
  type UnsubscribeKeyring,
  verifyUnsubscribeToken,
} from '../domain/unsubscribe-token.ts';
import { logger } from '../logger.ts';
import type { ConsentChange } from '../schemas/profile.ts';

export interface UnsubscribeDeps {
  readonly profiles: Pick<ProfileStore, 'get' | 'save'>;
  readonly unsubscribeKeys: UnsubscribeKeyring;
  readonly clock: Clock;
}

/** Concurrent writers of one profile are rare; a few tries settle them. */
const ATTEMPTS = 3;

/** The token's claims when it is ours and its profile exists; else the one 404 for every case. */
async function verified(deps: UnsubscribeDeps, token: string): Promise<UnsubscribeClaims> {
  const result = verifyUnsubscribeToken(deps.unsubscribeKeys, token, { now: deps.clock.now() });
  if (!result.ok) throw new UnsubscribeLinkNotFoundError();
  return result.claims;
}

/** What the confirmation page needs: which channel the link is for (reading changes nothing). */
export async function readUnsubscribeLink(deps: UnsubscribeDeps, token: string) {
  const claims = await verified(deps, token);
  if (!(await deps.profiles.get(claims.sandbox, claims.profileId))) throw new UnsubscribeLinkNotFoundError();
  return { channel: claims.channel };
}

/**
 * Withdraws the profile's marketing consent on the link's channel, recording when and how; a second
 * call changes nothing. The next marketing send to the profile on that channel is excluded
 * `no-consent`; transactional messages are not affected.
 */
export async function unsubscribe(deps: UnsubscribeDeps, token: string, via: ConsentChange['via']) {
  const claims = await verified(deps, token);
  for (let attempt = 1; ; attempt++) {
    const profile = await deps.profiles.get(claims.sandbox, claims.profileId);
    if (!profile) throw new UnsubscribeLinkNotFoundError();
    const at = deps.clock.now().toISOString();
    const next = withdrawMarketingConsent(profile, { channel: claims.channel, at, via });
    if (next === profile) return { channel: claims.channel, changed: false };
    try {
      await deps.profiles.save(next, []);
      logger.info('marketing consent withdrawn', { sandbox: claims.sandbox, channel: claims.channel, via });
      return { channel: claims.channel, changed: true };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
