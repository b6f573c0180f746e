import { useState } from 'preact/hooks';
import { useAction } from '../action.ts';
import { api, call } from '../api.ts';
import { formatTime, LoadMore, Notice, ProblemBanner } from '../components.tsx';
import { usePagedList } from '../paged.ts';
import { href } from '../router.ts';
import { can } from '../scopes.ts';
import type { Page, ScheduledExecution, WhoamiView } from '../types.ts';

/**
 * The sandbox's scheduled audience runs, newest first (`GET /im/executions/schedules`), each with
 * its status and, once triggered, its run; a Scheduled one can be cancelled
 * (`DELETE /im/executions/schedules/{id}`, executions:write).
 */
export function Schedules({ me }: { me: WhoamiView }) {
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const writable = can(me, 'executions:write');
  const page = (cursor?: string) =>
    api.get<Page<ScheduledExecution>>(
      `/im/executions/schedules?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
  const { items, setItems, next, more } = usePagedList(page, setError);
  const { busy, perform } = useAction<string>(setError, setNotice);
  const cancel = (schedule: ScheduledExecution) =>
    perform(schedule.scheduleId, async () => {
      const cancelled = await call<ScheduledExecution>(
        'DELETE',
        `/im/executions/schedules/${schedule.scheduleId}`,
      );
      setItems((all) => all?.map((s) => (s.scheduleId === cancelled.scheduleId ? cancelled : s)));
      return `The run scheduled for ${formatTime(schedule.executeAt)} is cancelled.`;
    });
  return (
    <section aria-labelledby="schedules-title">
      <h1 id="schedules-title">Schedules</h1>
      <p class="hint">
        Audience runs booked for later (<code>schedule.executeAt</code> on POST /im/executions/audience).
      </p>
      <ProblemBanner error={error} />
      <Notice text={notice} />
      {items === undefined && !error ? <p class="loading">Loading…</p> : null}
      {items ? (
        <table class="list">
          <caption>Scheduled audience runs</caption>
          <thead>
            <tr>
              <th scope="col">Runs at</th>
              <th scope="col">Campaign</th>
              <th scope="col">Audience</th>
              <th scope="col">Status</th>
              <th scope="col">Run</th>
              {writable ? <th scope="col">Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.scheduleId} data-testid={`schedule-${s.scheduleId}`}>
                <td>{formatTime(s.executeAt)}</td>
                <td>
                  <a href={href('campaigns', s.campaignId)}>{s.campaignId}</a>
                </td>
                <td>{s.audience.id}</td>
                <td>
                  <span class="status">{s.scheduleStatus}</span>
                  {s.failure ? <span class="hint"> — {s.failure}</span> : null}
                </td>
                <td>{s.executionId ? <a href={href('executions', s.executionId)}>open</a> : '—'}</td>
                {writable ? (
                  <td>
                    {s.scheduleStatus === 'Scheduled' ? (
                      <button
                        type="button"
                        class="danger"
                        disabled={busy !== undefined}
                        aria-label={`Cancel the run at ${formatTime(s.executeAt)}`}
                        onClick={() => cancel(s)}
                      >
                        Cancel
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
            {items.length === 0 ? (
              <tr>
                <td colSpan={writable ? 6 : 5}>No scheduled run.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      ) : null}
      <LoadMore next={next} more={more} />
    </section>
  );
}
