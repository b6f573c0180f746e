import { createHash } from 'node:crypto';
import { ConfigError, type HeraldConfig } from '../config.ts';
import { deriveUnsubscribeKey, type UnsubscribeKeyring } from '../domain/unsubscribe-token.ts';

/** A key's id: the first 8 hex digits of its secret's SHA-256 (tokens name it; no secret in it). */
const keyOf = (secret: string) =>
  deriveUnsubscribeKey(
    createHash('sha256').update(secret).digest('hex').slice(0, 8),
    Buffer.from(secret, 'utf8'),
  );

/**
 * The unsubscribe keyring: HERALD_UNSUBSCRIBE_SECRET signs (and verifies) links; each of
 * HERALD_UNSUBSCRIBE_PREVIOUS_SECRETS still verifies the links it signed, for a rotation; a secret
 * dropped from both revokes every link it signed.
 */
export function unsubscribeKeyring(config: HeraldConfig): UnsubscribeKeyring {
  const secret = config.HERALD_UNSUBSCRIBE_SECRET;
  if (!secret)
    throw new ConfigError([
      { variable: 'HERALD_UNSUBSCRIBE_SECRET', message: 'is required to sign and verify unsubscribe links' },
    ]);
  return { current: keyOf(secret), previous: config.HERALD_UNSUBSCRIBE_PREVIOUS_SECRETS.map(keyOf) };
}
