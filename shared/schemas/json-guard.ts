import type { FieldIssue } from './field-issue.ts';
import {
  MAX_ARRAY_MEMBERS,
  MAX_JSON_DEPTH,
  MAX_NUMBER_MAGNITUDE,
  MAX_REPORTED_ISSUES,
  MIN_NUMBER_MAGNITUDE,
  RESERVED_KEYS,
} from './limits.ts';

/** A path segment shown in a problem document; long keys are cut so the answer stays small. */
function segment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return `.${shown.isWellFormed() ? shown : shown.toWellFormed()}`;
}

function numberRule(value: number): string | undefined {
  if (!Number.isFinite(value)) return 'must be a finite number';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < MIN_NUMBER_MAGNITUDE || magnitude >= MAX_NUMBER_MAGNITUDE)) {
    return 'must be zero or have a magnitude from 1e-130 to below 1e126 (send other values as strings)';
  }
  return undefined;
}

/** A JSON number whose text holds more precision than a double keeps (`9007199254740993`). */
class InexactNumber {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
}

/** A decimal's digits and exponent without sign-irrelevant zeros: `1.50e2` and `150` agree. */
function canonicalDecimal(text: string): string {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = `${whole}${fraction}`;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  const significant = digits.slice(leading).replace(/0+$/, '');
  if (significant === '') return '0';
  const scale = Number(exponent) + whole.length - leading;
  return `${sign}${significant}e${scale}`;
}

/**
 * JSON.parse, except that numbers whose text a double cannot hold exactly are kept aside, so the
 * guard can refuse them by path instead of storing another number. Only bodies with a run of 16
 * digits can hold such a number (15 significant digits always fit a double), so only those pay for
 * the reviver (it makes parsing several times slower).
 */
export function parseJson(text: string): unknown {
  if (!/\d[\d.]{15}/.test(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    context?.source !== undefined &&
    Number.isFinite(value) &&
    canonicalDecimal(context.source) !== canonicalDecimal(String(value))
      ? new InexactNumber(context.source)
      : value,
  );
}

/**
 * The rules every JSON body meets before any schema or use case sees it, checked without recursion
 * (a body nested 100,000 deep is walked, never overflows): at most MAX_JSON_DEPTH levels; strings
 * and keys well-formed Unicode (no lone surrogates, which no store keeps intact); numbers DynamoDB
 * can store, whose text a double holds exactly (see parseJson); no `__proto__`, `constructor` or `prototype` keys; at
 * most MAX_ARRAY_MEMBERS array members in all (a schema reports issues per member, and an issue list
 * hundreds of thousands long overflows the validator's stack). Returns at most
 * MAX_REPORTED_ISSUES issues and how many there were.
 */
export function jsonIssues(value: unknown, base: string): { issues: FieldIssue[]; count: number } {
  const issues: FieldIssue[] = [];
  let count = 0;
  const report = (path: string, message: string) => {
    count++;
    if (issues.length < MAX_REPORTED_ISSUES) issues.push({ path, message });
  };
  let members = 0;
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: base, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, path, depth } = item;
    if (typeof current === 'string') {
      if (!current.isWellFormed()) report(path, 'must be well-formed Unicode (a lone surrogate is not)');
    } else if (typeof current === 'number') {
      const rule = numberRule(current);
      if (rule) report(path, rule);
    } else if (current instanceof InexactNumber) {
      report(
        path,
        `${current.source.slice(0, 40)} has more digits than a number keeps (send it as a string)`,
      );
    } else if (current !== null && typeof current === 'object') {
      if (depth > MAX_JSON_DEPTH) {
        report(path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
        continue;
      }
      if (Array.isArray(current)) {
        members += current.length;
        if (members > MAX_ARRAY_MEMBERS) {
          report(path, `makes the body hold more than ${MAX_ARRAY_MEMBERS} array members in all`);
          return { issues, count };
        }
      }
      const entries: [string | number, unknown][] = Array.isArray(current)
        ? current.map((v, i) => [i, v])
        : Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string | number, unknown];
        const childPath = path + segment(key);
        if (typeof key === 'string') {
          if (RESERVED_KEYS.has(key)) {
            report(childPath, `'${key}' is reserved and cannot be used as a key`);
            continue;
          }
          if (!key.isWellFormed()) {
            report(childPath, 'key must be well-formed Unicode (a lone surrogate is not)');
            continue;
          }
        }
        stack.push({ value: child, path: childPath, depth: depth + 1 });
      }
    }
  }
  return { issues, count };
}
