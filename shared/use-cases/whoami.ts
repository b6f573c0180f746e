import type { Principal } from '../domain/auth.ts';
import type { WhoamiView } from '../schemas/console.ts';

/** What a key may know of itself: its id, sandbox and scopes (never its hash or secret). */
export function whoami(principal: Principal): WhoamiView {
  if (principal.kind === 'root') return { kind: 'root', keyId: principal.keyId, scopes: [] };
  return {
    kind: 'sandbox',
    keyId: principal.keyId,
    sandbox: principal.sandbox,
    scopes: [...principal.scopes],
  };
}
