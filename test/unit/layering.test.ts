import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layers of shared/ (README, "Layout"): schemas ← domain ← use-cases ← adapters ← roots. Each
 * layer's files are read and every import they make (static, type-only, re-export or dynamic, as
 * TypeScript's own pre-processor finds them) is checked against what the layer may depend on, so
 * the direction cannot regress.
 */
const shared = path.resolve(import.meta.dirname, '../../shared');
const ADAPTERS = ['store', 'queue', 'channels', 'webhooks'];
/** Network and AWS I/O: adapters' business, never a use case's. */
const IO_MODULES = /^(node:)?(dns|net|tls|http|https|http2|dgram)(\/|$)|^@aws-sdk\//;

interface Rule {
  /** What a file of the layer may import of shared/ (its top-level folder or file); all else fails. */
  readonly mayImport?: readonly string[];
  /** What a file of the layer may not import of shared/. */
  readonly mayNotImport?: readonly string[];
  readonly forbiddenModules?: RegExp;
}

/**
 * Schemas are in every API function's bundle (the route table holds them all): zod, and nothing
 * else of npm, so a library one validator needs (libphonenumber-js: ~120 KB) stays in the use case.
 */
const NOT_ZOD = /^(?!zod(\/|$)|node:)/;

const RULES: Record<string, Rule> = {
  schemas: { mayImport: ['schemas'], forbiddenModules: NOT_ZOD },
  domain: { mayImport: ['schemas', 'domain'] },
  'use-cases': {
    mayImport: ['schemas', 'domain', 'use-cases', 'logger.ts', 'metrics.ts'],
    forbiddenModules: IO_MODULES,
  },
  ...Object.fromEntries(ADAPTERS.map((adapter) => [adapter, { mayNotImport: ['roots'] }])),
};

/** The imports of one source text that break the rule of the layer its file lives in. */
function violations(file: string, source: string, rule: Rule): string[] {
  const found: string[] = [];
  for (const { fileName: specifier } of ts.preProcessFile(source, true, true).importedFiles) {
    if (!specifier.startsWith('.')) {
      if (rule.forbiddenModules?.test(specifier)) found.push(specifier);
      continue;
    }
    const target = path.relative(shared, path.resolve(path.dirname(file), specifier));
    const top = target.split(path.sep)[0] ?? '';
    const outside = target.startsWith('..');
    if (outside || (rule.mayImport && !rule.mayImport.includes(top)) || rule.mayNotImport?.includes(top)) {
      found.push(specifier);
    }
  }
  return found;
}

describe('the layers of shared/ depend one way', () => {
  it.each(Object.entries(RULES))('%s/ imports only what its layer may', (layer, rule) => {
    const folder = path.join(shared, layer);
    const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    const broken = files.flatMap((name) => {
      const file = path.join(folder, name);
      return violations(file, readFileSync(file, 'utf8'), rule).map(
        (specifier) => `${layer}/${name}: ${specifier}`,
      );
    });
    expect(broken).toEqual([]);
  });

  it('catches every form of import that breaks a rule', () => {
    const file = path.join(shared, 'use-cases', 'example.ts');
    const source = [
      "import type { WebhookSender } from '../webhooks/http-sender.ts';",
      "import {\n  suppresses,\n} from '../channels/sandbox-simulator.ts';",
      "export { thing } from '../store/keys.ts';",
      "const lazy = () => import('../roots/dispatch.ts');",
      "import dns from 'node:dns';",
      "import { isIP } from 'net';",
      "import https from 'node:https';",
      "import { SQSClient } from '@aws-sdk/client-sqs';",
      "import { ok } from '../domain/errors.ts';",
      "import * as z from '../schemas/zod.ts';",
      "import { logger } from '../logger.ts';",
    ].join('\n');
    expect(violations(file, source, RULES['use-cases'] as Rule)).toEqual([
      '../webhooks/http-sender.ts',
      '../channels/sandbox-simulator.ts',
      '../store/keys.ts',
      '../roots/dispatch.ts',
      'node:dns',
      'net',
      'node:https',
      '@aws-sdk/client-sqs',
    ]);
    const schema = path.join(shared, 'schemas', 'example.ts');
    expect(
      violations(schema, "import { x } from '../domain/ids.ts';\nimport { y } from './common.ts';", {
        mayImport: ['schemas'],
      }),
    ).toEqual(['../domain/ids.ts']);
  });

  it('zod is imported by shared/schemas/zod.ts alone (zod/mini with the en locale, ADR 0032)', () => {
    expect(importersOf(/^zod(\/|$)/)).toEqual([path.join('shared', 'schemas', 'zod.ts')]);
  });

  it('libphonenumber-js is imported by shared/domain/phone.ts alone (out of the bundles that read no phone)', () => {
    expect(importersOf(/^libphonenumber-js(\/|$)/).filter((file) => !file.startsWith('test'))).toEqual([
      path.join('shared', 'domain', 'phone.ts'),
    ]);
  });
});

/** The project's source files (tests, console and bench included) that import a module matching `pattern`. */
function importersOf(pattern: RegExp): string[] {
  const root = path.resolve(shared, '..');
  const importers: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'cdk.out' || entry.name === 'dist') continue;
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.tsx?$/.test(entry.name)) {
        const imports = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles;
        if (imports.some(({ fileName }) => pattern.test(fileName))) importers.push(path.relative(root, file));
      }
    }
  };
  for (const top of ['shared', 'functions', 'infra', 'test', 'bench', 'console']) walk(path.join(root, top));
  return importers.sort();
}
