/**
 * JSON text that JSON.stringify cannot write: number literals it would change (`1e309`, `-0`,
 * `9007199254740993`), own `__proto__` keys, and nesting deeper than is comfortable to build as
 * objects. A Raw value is spliced into the serialized body verbatim.
 */
export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export const raw = (text: string) => new Raw(text);

/** Serializes a body that may hold Raw values anywhere (including as the whole body). */
export function toJsonText(value: unknown): string {
  const spliced: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      spliced.push(v.text);
      return `\u0000raw:${spliced.length - 1}\u0000`;
    }
    return v;
  });
  if (text === undefined) throw new Error('body does not serialize');
  // JSON.stringify escapes U+0000 as \u0000, so the marker cannot collide with a sample's text.
  return text.replace(/"\\u0000raw:(\d+)\\u0000"/g, (_m, index: string) => spliced[Number(index)] ?? '');
}

/** `{"k":{"k":…1…}}`, `depth` objects deep. */
export function nestedObjects(depth: number, key = 'k'): Raw {
  return raw(`${`{"${key}":`.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** `[[[…1…]]]`, `depth` arrays deep. */
export function nestedArrays(depth: number): Raw {
  return raw(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
}
