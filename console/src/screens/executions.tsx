import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, api } from '../api.ts';
import { Field, formatTime, LoadMore, ProblemBanner, StatusBar } from '../components.tsx';
import { usePagedList } from '../paged.ts';
import { href, navigate } from '../router.ts';
import { can } from '../scopes.ts';
import type {
  AudienceExecutionStatus,
  CampaignView,
  ExecutionView as Execution,
  ExecutionSummary,
  Page,
  RenderedMessageView,
  WhoamiView,
} from '../types.ts';

/** How often a running execution is read again. */
const POLL_MS = 1000;

/** One page of `GET /executions`, filtered. */
async function listPage(filters: { kind: string; campaignId: string }, cursor?: string) {
  const query = new URLSearchParams({ limit: '25' });
  if (filters.kind) query.set('kind', filters.kind);
  if (filters.campaignId) query.set('campaignId', filters.campaignId);
  if (cursor) query.set('cursor', cursor);
  return api.get<Page<ExecutionSummary>>(`/executions?${query}`);
}

/**
 * Recent executions of every kind, newest first, each with its counts per status (read on its own
 * and again while it runs), filtered by kind and campaign; and opening one by its id.
 */
export function ExecutionList({ me }: { me: WhoamiView }) {
  const [filters, setFilters] = useState({ kind: '', campaignId: '' });
  const [error, setError] = useState<unknown>();
  const [campaigns, setCampaigns] = useState<Record<string, string>>({});
  const [id, setId] = useState('');
  const { items, next, more } = usePagedList((cursor) => listPage(filters, cursor), setError, [filters]);
  useEffect(() => {
    if (!can(me, 'campaigns:read')) return;
    api
      .get<Page<CampaignView>>('/campaigns?limit=100')
      .then((page) => setCampaigns(Object.fromEntries(page.items.map((c) => [c.id, c.name]))), setError);
  }, []);
  return (
    <section aria-labelledby="executions-title">
      <h1 id="executions-title">Executions</h1>
      <ProblemBanner error={error} />
      <fieldset class="filters">
        <legend class="visually-hidden">Filters</legend>
        <label>
          Kind
          <select
            value={filters.kind}
            onChange={(e) => setFilters({ ...filters, kind: e.currentTarget.value })}
          >
            <option value="">all</option>
            <option value="unitary">unitary</option>
            <option value="high-throughput">high-throughput</option>
            <option value="audience">audience run</option>
          </select>
        </label>
        <label>
          Campaign
          <select
            value={filters.campaignId}
            onChange={(e) => setFilters({ ...filters, campaignId: e.currentTarget.value })}
          >
            <option value="">all</option>
            {Object.entries(campaigns).map(([campaignId, name]) => (
              <option key={campaignId} value={campaignId}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {items === undefined && !error ? <p class="loading">Loading…</p> : null}
      {items ? (
        <table class="list">
          <caption>Recent executions</caption>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Kind</th>
              <th scope="col">Campaign</th>
              <th scope="col">Request</th>
              <th scope="col">Messages per status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.executionId}>
                <td>
                  <a href={href('executions', item.executionId)}>{formatTime(item.createdAt)}</a>
                </td>
                <td>{item.kind}</td>
                <td>{campaigns[item.campaignId] ?? item.campaignId}</td>
                <td>{item.requestId ?? ''}</td>
                <td>
                  <RowCounts summary={item} />
                </td>
              </tr>
            ))}
            {items.length === 0 ? (
              <tr>
                <td colSpan={5}>No execution yet.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      ) : null}
      <LoadMore next={next} more={more} />
      <form
        class="group"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) navigate('executions', id.trim());
        }}
      >
        <Field
          label="Execution id"
          hint="The executionId a trigger answered: a unitary or high-throughput call, or an audience run."
        >
          {(fieldId, describedBy) => (
            <input
              id={fieldId}
              aria-describedby={describedBy}
              value={id}
              onInput={(e) => setId(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit">Open execution</button>
      </form>
    </section>
  );
}

/** Counts per status of one listed execution, read again every second until it has settled. */
function RowCounts({ summary }: { summary: ExecutionSummary }) {
  const loaded = usePolled(summary.executionId, summary.kind);
  if (!loaded.value)
    return loaded.error ? <ProblemBanner error={loaded.error} /> : <span class="hint">…</span>;
  return (
    <StatusBar counts={countsOf(loaded.value)} label={`Messages per status of ${summary.executionId}`} />
  );
}

type Loaded =
  | { kind: 'audience'; run: AudienceExecutionStatus }
  | { kind: 'recipients'; execution: Execution }
  | undefined;

const settled = (loaded: Loaded) =>
  loaded?.kind === 'audience'
    ? loaded.run.status !== 'InProgress' && loaded.run.delivery === 'Finished'
    : loaded?.kind === 'recipients' &&
      loaded.execution.recipients.every((r) => r.status !== 'queued' && r.status !== 'delay');

/**
 * Reads an execution: as its kind says, or (kind unknown: an id typed in) as an audience run, else
 * as a unitary one.
 */
async function read(id: string, kind?: ExecutionSummary['kind']): Promise<Loaded> {
  if (kind === undefined || kind === 'audience') {
    try {
      return {
        kind: 'audience',
        run: await api.get<AudienceExecutionStatus>(`/im/executions/audience/${id}`),
      };
    } catch (error) {
      if (kind !== undefined || !(error instanceof ApiProblem) || error.status !== 404) throw error;
    }
  }
  return { kind: 'recipients', execution: await api.get<Execution>(`/executions/${id}`) };
}

/** Messages per status: an audience run's counts (exclusions summed), or its recipients counted. */
function countsOf(loaded: NonNullable<Loaded>): Record<string, number> {
  if (loaded.kind === 'audience') {
    const { excluded, ...statuses } = loaded.run.counts;
    return { ...statuses, excluded: Object.values(excluded).reduce((sum, n) => sum + n, 0) };
  }
  const counts: Record<string, number> = {};
  for (const r of loaded.execution.recipients) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** The execution, read again every second until it has settled (nothing queued or delayed). */
function usePolled(id: string, kind?: ExecutionSummary['kind']) {
  const [value, setValue] = useState<Loaded>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      try {
        const next = await read(id, kind);
        if (stopped) return;
        setValue(next);
        setError(undefined);
        if (!settled(next)) timer = setTimeout(tick, POLL_MS);
      } catch (caught) {
        if (!stopped) setError(caught);
      }
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id, kind]);
  return { value, error };
}

export function ExecutionView({ id }: { id: string }) {
  const { value: loaded, error } = usePolled(id);
  return (
    <section aria-labelledby="execution-title">
      <p>
        <a href={href('executions')}>← Executions</a>
      </p>
      <h1 id="execution-title">Execution {id}</h1>
      <ProblemBanner error={error} />
      {loaded?.kind === 'audience' ? <AudienceRun run={loaded.run} /> : null}
      {loaded?.kind === 'recipients' ? <Recipients execution={loaded.execution} /> : null}
    </section>
  );
}

/** Messages a provider took: sent, and those it reported on since (delivered, bounced, complained of). */
const sentOf = ({ sent, delivered, bounce, complaint }: AudienceExecutionStatus['counts']) =>
  sent + delivered + bounce + complaint;

function AudienceRun({ run }: { run: AudienceExecutionStatus }) {
  const { excluded } = run.counts;
  const excludedTotal = Object.values(excluded).reduce((sum, n) => sum + n, 0);
  const done = run.status !== 'InProgress' && run.delivery === 'Finished';
  return (
    <div>
      <dl class="facts">
        <dt>Kind</dt>
        <dd>audience run</dd>
        <dt>Campaign</dt>
        <dd>
          <a href={href('campaigns', run.campaignId)}>{run.campaignId}</a>
        </dd>
        <dt>Run status</dt>
        <dd data-testid="run-status">{run.status}</dd>
        <dt>Delivery</dt>
        <dd data-testid="run-delivery">{run.delivery}</dd>
        <dt>Targeted profiles</dt>
        <dd>{run.targetedProfileCount}</dd>
        <dt>Sent</dt>
        <dd data-testid="run-sent">{sentOf(run.counts)}</dd>
        <dt>Excluded</dt>
        <dd data-testid="run-excluded">{excludedTotal}</dd>
        <dt>Remaining (queued or delayed)</dt>
        <dd data-testid="run-remaining">{run.pendingMessageCount}</dd>
        <dt>Started</dt>
        <dd>{formatTime(run.createdAt)}</dd>
      </dl>
      <p role="status" aria-live="polite">
        {done ? 'The run has finished.' : 'The run is in progress…'}
      </p>
      <StatusBar counts={countsOf({ kind: 'audience', run })} label="Messages per status" />
      {Object.keys(excluded).length > 0 ? (
        <>
          <h2 id="excluded-title">Excluded by reason</h2>
          <ul class="counts" aria-labelledby="excluded-title">
            {Object.entries(excluded).map(([reason, n]) => (
              <li key={reason}>
                {reason}: <strong>{n}</strong>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function Recipients({ execution }: { execution: Execution }) {
  const counts = countsOf({ kind: 'recipients', execution });
  return (
    <div>
      {execution.test ? (
        <p class="note" role="note" data-testid="test-send">
          A test send: it is not listed with the executions and counts in no report.
        </p>
      ) : null}
      <dl class="facts">
        <dt>Campaign</dt>
        <dd>
          <a href={href('campaigns', execution.campaignId)}>{execution.campaignId}</a> (version{' '}
          {execution.campaignVersion})
        </dd>
        <dt>Request</dt>
        <dd>{execution.requestId}</dd>
        <dt>Channel</dt>
        <dd>{execution.channel}</dd>
        <dt>Created</dt>
        <dd>
          {formatTime(execution.createdAt)} by {execution.createdBy}
        </dd>
      </dl>
      <StatusBar counts={counts} label="Recipients per status" />
      <table class="list">
        <caption>Recipients</caption>
        <thead>
          <tr>
            <th scope="col">User id</th>
            <th scope="col">Namespace</th>
            <th scope="col">Status</th>
            <th scope="col">History</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {execution.recipients.map((r) => (
            <tr key={r.messageId}>
              <td>{r.userId}</td>
              <td>{r.namespace}</td>
              <td>
                <span class={`status ms-${r.status}`}>{r.status}</span>
                {r.statusCode ? <span class="hint"> ({r.statusCode})</span> : null}
              </td>
              <td>
                <ol class="history">
                  {r.history.map((h) => (
                    <li key={`${h.status}-${h.at}`}>
                      {h.status} <span class="hint">{formatTime(h.at)}</span>
                      {h.reason ? <span class="hint"> — {h.reason}</span> : null}
                    </li>
                  ))}
                </ol>
              </td>
              <td>
                <RenderedMessage executionId={execution.executionId} messageId={r.messageId} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The rendered message as the sandbox provider kept it, read when opened. */
function RenderedMessage({ executionId, messageId }: { executionId: string; messageId: string }) {
  const [message, setMessage] = useState<RenderedMessageView>();
  const [error, setError] = useState<unknown>();
  return (
    <details
      onToggle={(e) => {
        if (e.currentTarget.open && !message)
          api
            .get<RenderedMessageView>(`/executions/${executionId}/messages/${messageId}`)
            .then(setMessage, setError);
      }}
    >
      <summary>Rendered message</summary>
      <ProblemBanner error={error} />
      {message ? (
        <div class="rendered">
          <p>
            To <strong>{message.to}</strong>
          </p>
          {message.subject ? <p>Subject: {message.subject}</p> : null}
          {message.title ? <p>Title: {message.title}</p> : null}
          {message.text ? <pre>{message.text}</pre> : null}
          {message.body ? <pre>{message.body}</pre> : null}
          {message.html ? (
            <>
              {/* An empty sandbox: no scripts, no forms, no navigation of the console, no same origin. */}
              <iframe
                class="rendered-html"
                sandbox=""
                srcdoc={message.html}
                title={`Rendered HTML of message ${messageId}`}
              />
              <details>
                <summary>HTML source</summary>
                <pre>{message.html}</pre>
              </details>
            </>
          ) : null}
        </div>
      ) : null}
    </details>
  );
}
