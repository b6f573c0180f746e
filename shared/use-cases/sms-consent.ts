import type { Clock } from '../domain/clock.ts';
import { ConcurrentUpdateError } from '../domain/errors.ts';
import { type ProfileStore, withdrawMarketingConsent } from '../domain/profile.ts';
import { logger } from '../logger.ts';
import type { ConsentChange } from '../schemas/profile.ts';

export interface SmsConsentDeps {
  readonly profiles: Pick<ProfileStore, 'findOwners' | 'get' | 'save'>;
  readonly clock: Clock;
}

/** Concurrent writers of one profile are rare; a few tries settle them. */
const CONSENT_ATTEMPTS = 3;

/**
 * The one opt-out protocol for SMS (ADR 0020 point 8, ADR 0028): the profile — the one named, else
 * the owner of the number's `phone` identity in the sandbox — gets marketing consent `n` for
 * `sms`, recorded with how it was learnt (`sms-stop`: the person texted STOP; `sms-opted-out`: the
 * provider refused a send because the number is on its opt-out list). Marketing sends exclude the
 * profile `no-consent` from then on. Read, change, save under the profile's revision, retried on a
 * concurrent write; true when the consent changed (a repeat changes nothing).
 */
export async function withdrawSmsConsent(
  deps: SmsConsentDeps,
  sandbox: string,
  who: { readonly phone: string; readonly profileId?: string | undefined },
  via: Extract<ConsentChange['via'], 'sms-stop' | 'sms-opted-out'>,
): Promise<boolean> {
  const profileId =
    who.profileId ??
    (await deps.profiles.findOwners(sandbox, [{ namespace: 'phone', id: who.phone }])).get(
      `phone:${who.phone}`,
    );
  if (profileId === undefined) return false;
  for (let attempt = 1; ; attempt++) {
    const profile = await deps.profiles.get(sandbox, profileId);
    if (!profile) return false;
    const at = deps.clock.now().toISOString();
    const next = withdrawMarketingConsent(profile, { channel: 'sms', at, via });
    if (next === profile) return false;
    try {
      await deps.profiles.save(next, []);
      logger.info('marketing consent withdrawn', { sandbox, channel: 'sms', via });
      return true;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= CONSENT_ATTEMPTS) throw error;
    }
  }
}
