import { describe, expect, it } from 'vitest';
import { importFile } from '../../console/src/import-lines.ts';
import { parseCsv } from '../../shared/domain/csv.ts';

describe("the console's import chunks", () => {
  it('send a CSV as CSV: the header in the first chunk only, cut between records, never in quotes', () => {
    const text = '\uFEFFemail,attributes.note\r\na@x.com,"two\nlines"\nb@x.com,"say ""hi"""\rc@x.com,plain\n';
    const file = importFile('people.CSV', text, 2);
    expect(file.format).toBe('csv');
    expect(file.total).toBe(4);
    expect(file.chunks).toEqual([
      'email,attributes.note\na@x.com,"two\nlines"\nb@x.com,"say ""hi"""',
      'c@x.com,plain',
    ]);
    // What the API reads from them is the file's records.
    const records = file.chunks.flatMap((chunk) => {
      const parsed = parseCsv(chunk);
      return parsed.ok ? parsed.records : [];
    });
    expect(records).toEqual([
      ['email', 'attributes.note'],
      ['a@x.com', 'two\nlines'],
      ['b@x.com', 'say "hi"'],
      ['c@x.com', 'plain'],
    ]);
  });

  it('send a header-only CSV as one chunk, and NDJSON line by line', () => {
    expect(importFile('h.csv', 'email\n', 1000).chunks).toEqual(['email']);
    const ndjson = importFile('m.ndjson', '{"a":1}\n{"b":2}\n{"c":3}\n', 2);
    expect(ndjson).toEqual({ format: 'ndjson', chunks: ['{"a":1}\n{"b":2}', '{"c":3}'], total: 3 });
  });
});
