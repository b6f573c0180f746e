import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Field, fieldError, formatTime, ProblemBanner } from '../components.tsx';
import { importFile } from '../import-lines.ts';
import { can } from '../scopes.ts';
import type { AudienceView, WhoamiView } from '../types.ts';

/** The import API's chunk size (lines, or CSV records besides the header). */
const CHUNK_LINES = 1000;

interface ImportProgress {
  readonly importId: string;
  readonly lines: number;
  readonly imported: number;
  readonly created: number;
  readonly rejected: number;
  readonly rejections: { line: number; reason: string }[];
}

/** Audiences: each with its member count; a new one; a file imported into one, chunk by chunk. */
export function Audiences({ me }: { me: WhoamiView }) {
  const [audiences, setAudiences] = useState<AudienceView[]>();
  const [error, setError] = useState<unknown>();
  const [name, setName] = useState('');
  const [importing, setImporting] = useState<AudienceView>();
  const reload = () =>
    api
      .get<{ items: AudienceView[] }>('/audiences')
      .then((answer) => Promise.all(answer.items.map((a) => api.get<AudienceView>(`/audiences/${a.id}`))))
      .then(setAudiences, setError);
  useEffect(() => {
    void reload();
  }, []);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.post('/audiences', { name });
      setName('');
      await reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const writable = can(me, 'audiences:write');
  return (
    <section aria-labelledby="audiences-title">
      <h1 id="audiences-title">Audiences</h1>
      <ProblemBanner error={error} />
      <table class="list">
        <caption>Audiences</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Members</th>
            <th scope="col">Created</th>
            {writable ? (
              <th scope="col">
                <span class="visually-hidden">Import</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {(audiences ?? []).map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>{a.memberCount ?? '—'}</td>
              <td>{formatTime(a.createdAt)}</td>
              {writable ? (
                <td>
                  <button type="button" aria-label={`Import into ${a.name}`} onClick={() => setImporting(a)}>
                    Import
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {importing ? <Importer audience={importing} onDone={reload} key={importing.id} /> : null}
      {writable ? (
        <form class="group" onSubmit={create}>
          <h2>New audience</h2>
          <Field label="Audience name" error={fieldError(error, 'name')}>
            {(id) => <input id={id} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <button type="submit" class="primary">
            Create audience
          </button>
        </form>
      ) : null}
    </section>
  );
}

/** Sends the file in chunks of 1,000 lines or records, one import (its importId), with a progress bar. */
function Importer({ audience, onDone }: { audience: AudienceView; onDone: () => Promise<void> }) {
  const [progress, setProgress] = useState<ImportProgress>();
  const [total, setTotal] = useState(0);
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [running, setRunning] = useState(false);
  const run = async (file: File) => {
    setError(undefined);
    setProgress(undefined);
    setRunning(true);
    try {
      const {
        format,
        chunks,
        total: count,
        note: read,
      } = importFile(file.name, await file.text(), CHUNK_LINES);
      setNote(read);
      setTotal(count);
      let importId: string | undefined;
      for (const lines of chunks) {
        const answer: ImportProgress = await api.post<ImportProgress>(`/audiences/${audience.id}/imports`, {
          ...(importId ? { importId } : { format }),
          lines,
        });
        importId = answer.importId;
        setProgress(answer);
      }
      await onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setRunning(false);
    }
  };
  return (
    <section class="group" aria-labelledby="import-title">
      <h2 id="import-title">Import into {audience.name}</h2>
      <Field
        label="File to import"
        hint={
          'NDJSON (one identity per line: {"namespace":"email","id":"a@example.com"}, or a profile {"identities":[…],"attributes":{…},"consent":{…}}) or CSV whose header names identity namespaces (email, phone, …), attributes.<name> and consent.marketing.<email|sms|push> (y/n). Unknown people get profiles; attributes and consent are merged into them.'
        }
      >
        {(id, describedBy) => (
          <input
            id={id}
            type="file"
            accept=".ndjson,.jsonl,.csv,.txt"
            aria-describedby={describedBy}
            disabled={running}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) void run(file);
            }}
          />
        )}
      </Field>
      {note ? <p class="hint">{note}</p> : null}
      {total > 0 ? (
        <div>
          <progress aria-label="Import progress" max={total} value={progress?.lines ?? 0} />
          <p role="status" data-testid="import-status">
            {running ? 'Importing… ' : 'Import finished: '}
            {progress?.lines ?? 0} of {total} lines, {progress?.imported ?? 0} imported (
            {progress?.created ?? 0} new profiles), {progress?.rejected ?? 0} rejected
          </p>
        </div>
      ) : null}
      <ProblemBanner error={error} />
      {progress && progress.rejections.length > 0 ? (
        <table class="list">
          <caption>Rejected lines</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {progress.rejections.map((r) => (
              <tr key={r.line}>
                <td>{r.line}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
