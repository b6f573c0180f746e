import type { Scope, WhoamiView } from './types.ts';

/** What the console allows: as the API decides it, `admin` implies every scope of its sandbox. */
export function can(me: WhoamiView, scope: Scope): boolean {
  return me.scopes.includes('admin') || me.scopes.includes(scope);
}
