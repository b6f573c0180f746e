/**
 * Phone numbers, and the identity normalisation that needs them: the one module that loads
 * libphonenumber-js, so only the bundles that read phone numbers ship it (identity.ts holds the
 * rest of the identity rules, library-free).
 */
import { createRequire } from 'node:module';
import type { CountryCode, MetadataJson } from 'libphonenumber-js/core';
import { type IdentityOptions, type NormalizeResult, normalizeEmail } from './identity.ts';

/**
 * libphonenumber-js, required on the first phone number and kept: `libphonenumber-js/core` and the
 * `/min` metadata it takes as an argument (possible lengths per country, which is all
 * `isPossible()` needs). Loaded with Node's own `require()`, which esbuild leaves as it is: its
 * 38 KB of code and 83 KB of JSON are not in a Lambda bundle's code, so a cold start neither
 * compiles nor parses them (ADR 0031). Unbundled, `require()` reads the package in `node_modules`;
 * a Lambda bundle that holds this code ships the same two subpaths beside `index.mjs`
 * (`SHIPPED_PACKAGES` in infra/constructs/bundling.ts), resolved the same way.
 */
let library:
  | { readonly core: typeof import('libphonenumber-js/core'); readonly metadata: MetadataJson }
  | undefined;
function phoneLibrary() {
  // Nothing runs at import, so a bundle that reaches this module but reads no phone drops it whole.
  if (!library) {
    const load = createRequire(import.meta.url);
    library = {
      core: load('libphonenumber-js/core') as typeof import('libphonenumber-js/core'),
      metadata: load('libphonenumber-js/metadata.min.json') as MetadataJson,
    };
  }
  return library;
}
// core's declaration takes a CountryCode already; the function itself checks any string (as /min's does).
const isSupportedCountry = (country: string): country is CountryCode => {
  const { core, metadata } = phoneLibrary();
  return core.isSupportedCountry(country as CountryCode, metadata);
};
const parsePhoneNumberFromString = (
  text: string,
  options?: Parameters<typeof import('libphonenumber-js/core').parsePhoneNumberFromString>[1],
) => {
  const { core, metadata } = phoneLibrary();
  return core.parsePhoneNumberFromString(text, options ?? {}, metadata);
};

// Adobe's Experience Cloud ID is 38 digits.
const ECID = /^[0-9]{38}$/;
// Custom identities: printable, no control characters, no surrounding space.
const CUSTOM = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;

/**
 * Phones are kept in E.164. The number is parsed with libphonenumber-js (spaces, dots, dashes and
 * parentheses allowed, `00` read as `+`); a national number (`(415) 555-0123`, `0612345678`) needs
 * the sandbox's default country. The check is `isPossible()` — a length the country's plan
 * allows — not `isValid()`: range patterns go stale as plans change and would refuse newly issued
 * numbers, and the provider is the final judge of whether a number exists.
 */
export function normalizePhone(raw: string, options: IdentityOptions = {}): NormalizeResult {
  const trimmed = raw.trim();
  const text = trimmed.startsWith('00') ? `+${trimmed.slice(2)}` : trimmed;
  const country =
    options.defaultCountry !== undefined && isSupportedCountry(options.defaultCountry)
      ? options.defaultCountry
      : undefined;
  if (!text.startsWith('+') && country === undefined) {
    return {
      ok: false,
      message:
        "must be a phone number in E.164 form, e.g. +14155550123 (national numbers need the sandbox's defaultCountry)",
    };
  }
  const parsed =
    text.length <= 64
      ? parsePhoneNumberFromString(text, { defaultCountry: country, extract: false })
      : undefined;
  if (!parsed || parsed.ext !== undefined || !parsed.isPossible()) {
    return {
      ok: false,
      message: text.startsWith('+')
        ? 'must be a phone number in E.164 form, e.g. +14155550123'
        : `must be a phone number of ${country} or in E.164 form, e.g. +14155550123`,
    };
  }
  return { ok: true, value: parsed.number };
}

/**
 * Normalises an identity value for its namespace, so one person is one key whatever the spelling.
 * Custom namespaces keep values as given (trimmed).
 */
export function normalizeIdentity(
  namespace: string,
  raw: string,
  options: IdentityOptions = {},
): NormalizeResult {
  switch (namespace) {
    case 'email':
      return normalizeEmail(raw);
    case 'phone':
      return normalizePhone(raw, options);
    case 'ecid': {
      const value = raw.trim();
      return ECID.test(value) ? { ok: true, value } : { ok: false, message: 'must be an ECID of 38 digits' };
    }
    default: {
      const value = raw.trim();
      if (value.length === 0 || value.length > 256 || !CUSTOM.test(value)) {
        return { ok: false, message: 'must be 1 to 256 printable characters' };
      }
      return { ok: true, value };
    }
  }
}

/** Whether an E.164 number (already of that form) is a possible number of its country. */
export function isPossibleE164(value: string): boolean {
  return parsePhoneNumberFromString(value)?.isPossible() === true;
}
