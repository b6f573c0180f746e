/**
 * A file chosen for an audience import, cut into the chunks the import API takes (1,000 lines or
 * CSV records each). NDJSON goes line by line. A CSV goes as it is, in `format: "csv"`: the API
 * reads its header (identity namespaces, `attributes.<name>`, `consent.marketing.<channel>`), so
 * attributes and consent come along; chunks are cut between records, never inside a quoted field,
 * and only the first one carries the header. Line numbers are the API's: a CSV's header is line 1.
 */
export interface ImportFile {
  readonly format: 'ndjson' | 'csv';
  /** The chunks' `lines`, in order. */
  readonly chunks: string[];
  /** Lines (CSV records, the header included) in the file: what the progress counts up to. */
  readonly total: number;
  readonly note?: string;
}

/** A CSV's records as text, cut at line ends outside quotes (RFC 4180; CRLF, LF or CR). */
function csvRecords(text: string): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    // A doubled quote inside a quoted field toggles twice: it stays quoted.
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      records.push(text.slice(start, i));
      if (c === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  if (start < text.length) records.push(text.slice(start));
  return records;
}

export function importFile(fileName: string, text: string, chunkLines: number): ImportFile {
  const chunk = (lines: readonly string[], first: readonly string[] = []) => {
    const chunks: string[] = [];
    for (let start = 0; start < lines.length; start += chunkLines)
      chunks.push([...(start === 0 ? first : []), ...lines.slice(start, start + chunkLines)].join('\n'));
    return chunks.length > 0 ? chunks : [first.join('\n')];
  };
  if (!/\.csv$/i.test(fileName)) {
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return { format: 'ndjson', chunks: chunk(lines), total: lines.length };
  }
  const [header = '', ...records] = csvRecords(text.startsWith('\uFEFF') ? text.slice(1) : text);
  return {
    format: 'csv',
    chunks: chunk(records, [header]),
    total: records.length + 1,
    note: `Columns: ${header}. Line 1 is the header.`,
  };
}
