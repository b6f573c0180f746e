import { nestedArrays, nestedObjects, type Raw, raw } from './json-text.ts';

/** Class 1: text that breaks naive UTF-8, UTF-16 or control-character handling. */
export const UNICODE: readonly { readonly name: string; readonly value: string }[] = [
  { name: 'emoji', value: 'Ann 😀👩🏽‍🚀🇫🇷' },
  { name: 'above U+FFFF', value: '𝄞𠜎𝟘\u{10FFFD}' },
  { name: 'U+FFFE/U+FFFF', value: 'a\uFFFEb\uFFFFc' },
  // JSON.stringify writes a lone surrogate as the escape \ud800, which is what goes on the wire.
  { name: 'lone high surrogate', value: 'x\ud800y' },
  { name: 'lone low surrogate', value: '\udc00' },
  { name: 'C0 controls', value: 'a\u0000b\u0001\u0007\u0008\u000b\u001b\u001f\u007fz' },
  { name: 'CR LF', value: 'a\r\nx-injected: 1' },
  { name: 'RTL and zero width', value: '\u202Egnp.exe\u200B\u200D\uFEFF' },
];

/** Class 2: numbers DynamoDB cannot store as written (as literals in the JSON text). */
export const NUMBERS: readonly { readonly name: string; readonly value: Raw }[] = [
  { name: '1e200', value: raw('1e200') },
  { name: '1e-200', value: raw('1e-200') },
  { name: '1e309', value: raw('1e309') },
  { name: '-1e309', value: raw('-1e309') },
  { name: '2^53+1', value: raw('9007199254740993') },
  { name: '-0', value: raw('-0') },
  { name: '39 digits', value: raw('123456789012345678901234567890123456789') },
];

/** Class 3: nesting in free-form fields. */
export const DEPTHS: readonly { readonly name: string; readonly value: Raw }[] = [
  { name: 'objects 40 deep', value: nestedObjects(40) },
  { name: 'objects 5,000 deep', value: nestedObjects(5_000) },
  { name: 'arrays 5,000 deep', value: nestedArrays(5_000) },
];

/** Class 4: keys that are special to JavaScript objects, at several depths. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

export function protoObjects(): { name: string; value: Raw }[] {
  const polluting = '{"polluted":"yes","toString":"x","valueOf":1,"hasOwnProperty":"x"}';
  const out: { name: string; value: Raw }[] = [];
  for (const key of PROTO_KEYS) {
    out.push({ name: `${key} at depth 1`, value: raw(`{"${key}":${polluting},"a":1}`) });
    out.push({ name: `${key} at depth 3`, value: raw(`{"a":{"b":{"${key}":${polluting}}}}`) });
  }
  out.push({
    name: 'constructor.prototype chain',
    value: raw(`{"constructor":{"prototype":${polluting}},"__proto__":{"__proto__":${polluting}}}`),
  });
  out.push({
    name: '__proto__ as a string',
    value: raw('{"__proto__":"x","constructor":"y","prototype":"z"}'),
  });
  return out;
}

/** The same keys where only string values are allowed (push data, webhook headers). */
export const PROTO_STRING_MAP = raw(
  '{"__proto__":"x","constructor":"y","prototype":"z","toString":"t","hasOwnProperty":"h"}',
);

export const KB = 1024;
export const MIB = 1024 * 1024;

/** Class 5: sizes around DynamoDB's and the API's limits. */
export const SIZES: readonly { readonly name: string; readonly bytes: number }[] = [
  { name: '199 KB', bytes: 199 * KB },
  { name: '201 KB', bytes: 201 * KB },
  { name: '399 KB', bytes: 399 * KB },
  { name: '401 KB', bytes: 401 * KB },
];

/** A free-form object of about `bytes` bytes of JSON: one long string, or many 1 KB members. */
export function sized(bytes: number, shape: 'string' | 'object'): Record<string, string> {
  if (shape === 'string') return { big: 'x'.repeat(bytes) };
  const members: Record<string, string> = {};
  const chunk = 'y'.repeat(1000);
  for (let i = 0; i * 1012 < bytes; i++) members[`k${i}`] = chunk;
  return members;
}

/**
 * Class 6: header values that a careful server must refuse or cope with. `wire` marks bytes HTTP
 * itself forbids in a header (RFC 9110 field-value): the gateway's HTTP parser meets them before any
 * route does, so the corpus sends them on a few routes only (see WIRE_ROUTES in corpus.ts).
 */
export const HEADER_VALUES: readonly {
  readonly name: string;
  readonly value: Buffer;
  readonly wire?: true;
}[] = [
  { name: '300 characters', value: Buffer.from('k'.repeat(300)) },
  { name: '2,000 characters', value: Buffer.from('k'.repeat(2_000)) },
  { name: 'a tab inside', value: Buffer.from('key\twith\ttabs') },
  { name: 'C0 control 0x01', value: Buffer.from('key\u0001x', 'latin1'), wire: true },
  { name: 'DEL 0x7f', value: Buffer.from('key\u007fx', 'latin1'), wire: true },
  { name: 'obs-text 0xff', value: Buffer.from([0x6b, 0xff, 0xfe, 0x80]) },
  { name: 'UTF-8 emoji bytes', value: Buffer.from('key-😀', 'utf8') },
  { name: 'UTF-8 lone surrogate bytes', value: Buffer.from([0x6b, 0xed, 0xa0, 0x80]) },
  { name: 'only spaces', value: Buffer.from('   ') },
];

/** Class 8: elements of the wrong kind for any array. */
export function badElements(count: number, itemKind: string): Raw {
  const element = itemKind === 'string' || itemKind === 'enum' ? '{"bad":true}' : '5';
  return raw(`[${Array.from({ length: count }, () => element).join(',')}]`);
}

/** Wrong types for each kind of place. */
export function wrongTypes(kind: string): { name: string; value: unknown }[] {
  const all: { name: string; value: unknown }[] = [
    { name: 'a number', value: 12 },
    { name: 'a string', value: 'twelve' },
    { name: 'a boolean', value: true },
    { name: 'an array', value: ['x'] },
    { name: 'an object', value: { x: 1 } },
  ];
  const own: Record<string, string[]> = {
    string: ['a string'],
    enum: ['a string'],
    number: ['a number'],
    boolean: ['a boolean'],
    array: ['an array'],
    object: ['an object'],
    'free-form': ['an object'],
    'string-map': ['an object'],
  };
  return all.filter((t) => !(own[kind] ?? []).includes(t.name));
}

/** Class: invalid JSON text. */
export const INVALID_JSON: readonly { readonly name: string; readonly body: Buffer }[] = [
  { name: 'truncated', body: Buffer.from('{"name": "x", ') },
  { name: 'trailing garbage', body: Buffer.from('{"name":"x"} trailing') },
  { name: 'single quotes', body: Buffer.from("{'name':'x'}") },
  { name: 'NaN literal', body: Buffer.from('{"name":NaN}') },
  { name: 'comment', body: Buffer.from('{/* c */"name":"x"}') },
  { name: 'UTF-8 BOM', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"x"}')]) },
  {
    name: 'invalid UTF-8 bytes',
    body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xc0, 0x22, 0x7d]),
  },
  { name: 'UTF-16LE text', body: Buffer.from('{"name":"x"}', 'utf16le') },
  { name: 'empty string', body: Buffer.from('') },
  { name: 'whitespace only', body: Buffer.from(' \n\t ') },
  { name: 'null', body: Buffer.from('null') },
  { name: 'an array', body: Buffer.from('[]') },
  { name: 'a string', body: Buffer.from('"x"') },
  { name: 'a number', body: Buffer.from('1e309') },
  { name: 'duplicate keys', body: Buffer.from('{"a":1,"a":2}') },
  { name: 'a lone surrogate key', body: Buffer.from('{"\\ud800":1}') },
  { name: 'nested 100,000 deep', body: Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) },
];

/** Class: content types that are not JSON, or JSON in a form the API does not take. */
export const CONTENT_TYPES: readonly { readonly name: string; readonly value: string | undefined }[] = [
  { name: 'none', value: undefined },
  { name: 'text/plain', value: 'text/plain' },
  { name: 'form', value: 'application/x-www-form-urlencoded' },
  { name: 'multipart', value: 'multipart/form-data; boundary=x' },
  { name: 'xml', value: 'application/xml' },
  { name: 'octet-stream', value: 'application/octet-stream' },
  { name: 'application/jsonx', value: 'application/jsonx' },
  { name: 'json utf-16', value: 'application/json; charset=utf-16' },
  { name: 'json with junk parameters', value: 'application/json;;;=;charset' },
  { name: 'empty', value: '' },
];

/**
 * Class: path ids that are not ids. Each is already percent-encoded for the request line. `wire`
 * marks escapes that do not decode to text: the gateway decodes every path before any route sees it,
 * so the corpus sends those on a few routes only (WIRE_ROUTES in corpus.ts).
 */
export const BAD_IDS: readonly { readonly name: string; readonly value: string; readonly wire?: true }[] = [
  { name: 'not a UUID', value: 'not-a-uuid' },
  { name: 'upper-case UUID', value: '01A20708-A928-4D86-8254-5A5C8F38D212' },
  { name: '300 characters', value: 'a'.repeat(300) },
  { name: '2,000 characters', value: 'b'.repeat(2_000) },
  { name: 'encoded NUL', value: 'x%00y' },
  { name: 'encoded slash and dots', value: '..%2F..%2Fsandboxes' },
  { name: 'encoded emoji', value: encodeURIComponent('😀') },
  { name: 'encoded lone surrogate (CESU)', value: '%ED%A0%80', wire: true },
  { name: 'broken percent escape', value: '%E0%A4%A', wire: true },
  { name: 'a lone percent', value: '%', wire: true },
  { name: 'encoded CR LF', value: 'x%0D%0Ay' },
  { name: 'encoded quote and brackets', value: '%22%7B%7D%5B%5D' },
];

/** Class: query values. */
export const BAD_QUERY: readonly { readonly name: string; readonly value: string }[] = [
  { name: 'zero', value: '0' },
  { name: 'negative', value: '-1' },
  { name: 'fraction', value: '1.5' },
  { name: '1e309', value: '1e309' },
  { name: '2^53+1', value: '9007199254740993' },
  { name: 'not a number', value: 'abc' },
  { name: 'empty', value: '' },
  { name: 'base64 garbage', value: 'eyJwayI6MX0' },
  {
    name: 'base64 of a key with other types',
    value: Buffer.from('{"pk":{"N":"1"},"sk":[1]}').toString('base64url'),
  },
  { name: '2,000 characters', value: 'c'.repeat(2_000) },
  { name: 'encoded lone surrogate (CESU)', value: '%ED%A0%80' },
  { name: 'broken percent escape', value: '%E0%A4%A' },
  { name: 'encoded NUL', value: '%00' },
  { name: 'encoded emoji', value: encodeURIComponent('😀') },
];
