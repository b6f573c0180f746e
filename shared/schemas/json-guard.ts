import type { FieldIssue } from '../domain/errors.ts';
import {
  MAX_JSON_DEPTH,
  MAX_JSON_INTEGER,
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
  if (Number.isInteger(value) && magnitude > MAX_JSON_INTEGER) {
    return `must be an integer within ±${MAX_JSON_INTEGER} to keep its exact value (send larger ones as strings)`;
  }
  return undefined;
}

/**
 * The rules every JSON body meets before any schema or use case sees it, checked without recursion
 * (a body nested 100,000 deep is walked, never overflows): at most MAX_JSON_DEPTH levels; strings
 * and keys well-formed Unicode (no lone surrogates, which no store keeps intact); numbers DynamoDB
 * can store exactly; no `__proto__`, `constructor` or `prototype` keys. Returns at most
 * MAX_REPORTED_ISSUES issues and how many there were.
 */
export function jsonIssues(value: unknown, base: string): { issues: FieldIssue[]; count: number } {
  const issues: FieldIssue[] = [];
  let count = 0;
  const report = (path: string, message: string) => {
    count++;
    if (issues.length < MAX_REPORTED_ISSUES) issues.push({ path, message });
  };
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: base, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, path, depth } = item;
    if (typeof current === 'string') {
      if (!current.isWellFormed()) report(path, 'must be well-formed Unicode (a lone surrogate is not)');
    } else if (typeof current === 'number') {
      const rule = numberRule(current);
      if (rule) report(path, rule);
    } else if (current !== null && typeof current === 'object') {
      if (depth > MAX_JSON_DEPTH) {
        report(path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
        continue;
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
