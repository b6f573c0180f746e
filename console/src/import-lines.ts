/** A file chosen for an audience import, as the NDJSON lines the import API takes. */
export interface ImportLines {
  readonly lines: string[];
  /** CSV: the columns read as identities (by namespace) and those left out. */
  readonly note?: string;
}

/** One CSV record's fields (RFC 4180 quoting: `"a, ""b"""` is `a, "b"`). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

/**
 * NDJSON files go as they are. A CSV's header names identity namespaces (`email`, `phone`, a
 * custom one); each row becomes the identity of its first non-empty column, so line N of the import
 * is row N of the file after the header. Rows without any identity are sent as they are, so the API
 * rejects them by line number like any other bad line.
 */
export function importLines(fileName: string, text: string): ImportLines {
  const rows = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (!/\.csv$/i.test(fileName)) return { lines: rows };
  const [header = '', ...records] = rows;
  const columns = csvFields(header);
  const lines = records.map((record) => {
    const fields = csvFields(record);
    const index = fields.findIndex((value) => value !== '');
    const namespace = columns[index];
    return index === -1 || namespace === undefined
      ? record
      : JSON.stringify({ namespace, id: fields[index] });
  });
  return { lines, note: `Identity columns: ${columns.join(', ')} (each row: its first non-empty one).` };
}
