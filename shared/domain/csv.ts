/**
 * RFC 4180 CSV: fields separated by commas, records by CRLF, LF or CR; a field in double quotes may
 * hold commas, line breaks and doubled quotes (`""`). Written here rather than taken from a
 * library: this is all an import needs, and the audiences function's bundle stays small (ADR 0025).
 */
export type CsvResult =
  | { readonly ok: true; readonly records: string[][] }
  | { readonly ok: false; readonly record: number; readonly message: string };

/**
 * The records of `text` (a last empty line is no record); the 1-based record of the first error.
 * Records end at CRLF, LF or a lone CR (old spreadsheets' line ends); a byte-order mark at the
 * start is dropped.
 */
export function parseCsv(input: string): CsvResult {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  /** Whether the current field started with a quote and that quote has closed. */
  let closed = false;
  let fieldStarted = false;
  const endField = () => {
    record.push(field);
    field = '';
    quoted = false;
    closed = false;
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          closed = true;
        }
      } else field += c;
      continue;
    }
    if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (closed) {
      return { ok: false, record: records.length + 1, message: 'text after a closing quote' };
    } else if (c === '"') {
      return { ok: false, record: records.length + 1, message: 'a quote inside an unquoted field' };
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) return { ok: false, record: records.length + 1, message: 'a quoted field is never closed' };
  if (fieldStarted || record.length > 0) endRecord();
  return { ok: true, records };
}
