import { type IdentityOptions, isInternationalPhone } from '../domain/identity.ts';
import type { SandboxReader } from '../domain/sandbox.ts';

/**
 * How a sandbox reads identities. Its settings are read (through the per-container cache) only
 * when some phone number of the call is in national form: international numbers need no country.
 */
export async function identityOptions(
  sandboxes: SandboxReader,
  sandbox: string,
  phones: readonly string[],
): Promise<IdentityOptions> {
  if (phones.every(isInternationalPhone)) return {};
  const record = await sandboxes.get(sandbox);
  return record?.defaultCountry !== undefined ? { defaultCountry: record.defaultCountry } : {};
}

/** The phone numbers among identities, for {@link identityOptions}. */
export function phoneIdentities(identities: readonly { namespace: string; id: string }[]): string[] {
  return identities.flatMap((identity) => (identity.namespace === 'phone' ? [identity.id] : []));
}
