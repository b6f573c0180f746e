import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, api } from '../api.ts';
import { Field, formatTime, ProblemBanner, StatusBar } from '../components.tsx';
import { href, navigate } from '../router.ts';
import type { AudienceExecutionStatus, ExecutionView as Execution, RenderedMessageView } from '../types.ts';

/** How often a running execution is read again. */
const POLL_MS = 1000;

/** Open an execution by the id the trigger call answered (`executionId`). */
export function ExecutionLookup() {
  const [id, setId] = useState('');
  return (
    <section aria-labelledby="executions-title">
      <h1 id="executions-title">Executions</h1>
      <form
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

type Loaded =
  | { kind: 'audience'; run: AudienceExecutionStatus }
  | { kind: 'recipients'; execution: Execution }
  | undefined;

const settled = (loaded: Loaded) =>
  loaded?.kind === 'audience'
    ? loaded.run.status !== 'InProgress' && loaded.run.delivery === 'Finished'
    : loaded?.kind === 'recipients' &&
      loaded.execution.recipients.every((r) => r.status !== 'queued' && r.status !== 'delay');

/** Reads the execution as an audience run, else as a unitary one; again every second until settled. */
async function read(id: string): Promise<Loaded> {
  try {
    return { kind: 'audience', run: await api.get<AudienceExecutionStatus>(`/im/executions/audience/${id}`) };
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.status !== 404) throw error;
  }
  return { kind: 'recipients', execution: await api.get<Execution>(`/executions/${id}`) };
}

export function ExecutionView({ id }: { id: string }) {
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      try {
        const next = await read(id);
        if (stopped) return;
        setLoaded(next);
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
  }, [id]);
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

function AudienceRun({ run }: { run: AudienceExecutionStatus }) {
  const { excluded, ...statuses } = run.counts;
  const numeric: Record<string, number> = {
    ...statuses,
    excluded: Object.values(excluded).reduce((sum, n) => sum + n, 0),
  };
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
        <dt>Remaining (queued or delayed)</dt>
        <dd>{run.pendingMessageCount}</dd>
        <dt>Started</dt>
        <dd>{formatTime(run.createdAt)}</dd>
      </dl>
      <p role="status" aria-live="polite">
        {done ? 'The run has finished.' : 'The run is in progress…'}
      </p>
      <StatusBar counts={numeric} label="Messages per status" />
      {Object.keys(excluded).length > 0 ? (
        <>
          <h2>Excluded by reason</h2>
          <ul class="counts">
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
  const counts: Record<string, number> = {};
  for (const r of execution.recipients) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return (
    <div>
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
          {message.html ? (
            <details>
              <summary>HTML source</summary>
              <pre>{message.html}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
    </details>
  );
}
