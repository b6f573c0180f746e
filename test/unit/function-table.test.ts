import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../shared/definitions/functions.ts';
import { queueDefinitions } from '../../shared/definitions/queues.ts';
import { API_GROUPS } from '../../shared/http/routes.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('the function table', () => {
  it('has one function per route group, one worker per queue, one scheduler, each name once', () => {
    const groups = functionDefinitions.flatMap((fn) => (fn.kind === 'api' ? [fn.group] : []));
    expect(groups.sort()).toEqual([...API_GROUPS].sort());
    const consumed = functionDefinitions.flatMap((fn) => (fn.kind === 'worker' ? [fn.consumes] : []));
    expect(consumed.sort()).toEqual(queueDefinitions.map((q) => q.name).sort());
    expect(functionDefinitions.filter((fn) => fn.kind === 'scheduler')).toHaveLength(1);
    const names = functionDefinitions.map((fn) => fn.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('names handler modules and Lambda entries that exist', async () => {
    for (const fn of functionDefinitions) {
      await access(path.join(root, fn.handler));
      await access(path.join(root, fn.entry));
      expect(fn.entry).toBe(fn.handler.replace(/\.ts$/, '.lambda.ts'));
    }
  });

  it('gives the system function read access and no queue; only the scheduler queries the due index, the profiles function profileMessages', () => {
    expect(functionDefinitions.find((fn) => fn.name === 'system-api')).toMatchObject({
      table: 'read',
      indexes: [],
      queues: [],
    });
    const querying = (index: string) =>
      functionDefinitions
        .filter((fn) => (fn.indexes as readonly string[]).includes(index))
        .map((fn) => fn.name);
    expect(querying('due')).toEqual(['scheduler']);
    // A STOP texted to a number finds the sandboxes sending from it (ADR 0020).
    expect(querying('origination')).toEqual(['provider-events-worker']);
    // A profile's latest messages (ADR 0029).
    expect(querying('profileMessages')).toEqual(['profiles-api']);
    expect(functionDefinitions.filter((fn) => fn.indexes.length > 0).map((fn) => fn.name)).toEqual([
      'profiles-api',
      'provider-events-worker',
      'scheduler',
    ]);
  });
});
