import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/domain/csv.ts';

describe('parseCsv', () => {
  it('reads plain records with LF or CRLF, and no record for a last empty line', () => {
    expect(parseCsv('a,b\n1,2\r\n3,4\n')).toEqual({
      ok: true,
      records: [
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ],
    });
    expect(parseCsv('a,b')).toEqual({ ok: true, records: [['a', 'b']] });
    expect(parseCsv('')).toEqual({ ok: true, records: [] });
  });

  it('keeps empty fields, and a blank line is one empty field', () => {
    expect(parseCsv('a,,c\n,\n\nx')).toEqual({ ok: true, records: [['a', '', 'c'], ['', ''], [''], ['x']] });
  });

  it('reads quoted fields with commas, line breaks and doubled quotes', () => {
    expect(parseCsv('"a,b","say ""hi""","two\nlines"\n"",x')).toEqual({
      ok: true,
      records: [
        ['a,b', 'say "hi"', 'two\nlines'],
        ['', 'x'],
      ],
    });
  });

  it('ends records at a lone CR too, keeps spaces, and drops a byte-order mark', () => {
    expect(parseCsv(' a ,b\rc\r')).toEqual({ ok: true, records: [[' a ', 'b'], ['c']] });
    expect(parseCsv('"a"\r')).toEqual({ ok: true, records: [['a']] });
    expect(parseCsv('\uFEFF"email",x\n')).toEqual({ ok: true, records: [['email', 'x']] });
    expect(parseCsv('"two\r\nlines"')).toEqual({ ok: true, records: [['two\r\nlines']] });
  });

  it('names the record of malformed quoting', () => {
    expect(parseCsv('a\n"open,b')).toEqual({
      ok: false,
      record: 2,
      message: 'a quoted field is never closed',
    });
    expect(parseCsv('a\nb\n"x"y')).toEqual({ ok: false, record: 3, message: 'text after a closing quote' });
    expect(parseCsv('ab"c')).toEqual({ ok: false, record: 1, message: 'a quote inside an unquoted field' });
  });
});
