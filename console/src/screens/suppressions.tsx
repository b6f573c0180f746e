import { useState } from 'preact/hooks';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { Field, formatTime, LoadMore, Notice, ProblemBanner } from '../components.tsx';
import { usePagedList } from '../paged.ts';
import { can } from '../scopes.ts';
import type { Channel, Page, SuppressionView, WhoamiView } from '../types.ts';

const CHANNELS: readonly Channel[] = ['email', 'sms', 'push'];

/**
 * Administration › Suppression list: one channel's suppressed addresses a page at a time
 * (`GET /suppressions?channel=`), each removable (`DELETE /suppressions/{channel}/{address}`,
 * profiles:write): sends to it are no longer excluded.
 */
export function Suppressions({ me }: { me: WhoamiView }) {
  const [channel, setChannel] = useState<Channel>('email');
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const writable = can(me, 'profiles:write');
  const page = (cursor?: string) =>
    api.get<Page<SuppressionView>>(
      `/suppressions?channel=${channel}&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
  const { items, setItems, next, more } = usePagedList(page, setError, [channel]);
  const { busy, perform } = useAction<true>(setError, setNotice);
  const remove = (entry: SuppressionView) =>
    perform(true, async () => {
      await api.delete(`/suppressions/${entry.channel}/${encodeURIComponent(entry.address)}`);
      setItems((all) => all?.filter((s) => s.address !== entry.address));
      return `${entry.address} is off the ${entry.channel} suppression list.`;
    });
  return (
    <section aria-labelledby="suppressions-title">
      <h1 id="suppressions-title">Suppression list</h1>
      <p class="hint">
        Addresses that bounced or complained: every send to them is excluded until they are removed.
      </p>
      <div class="filters">
        <Field label="Channel">
          {(id) => (
            <select id={id} value={channel} onChange={(e) => setChannel(e.currentTarget.value as Channel)}>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ProblemBanner error={error} />
      <Notice text={notice} />
      {items === undefined && !error ? <p class="loading">Loading…</p> : null}
      {items ? (
        <table class="list">
          <caption>Suppressed {channel} addresses</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Code</th>
              <th scope="col">Suppressed</th>
              {writable ? <th scope="col">Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.address}>
                <td>{s.address}</td>
                <td>{s.code}</td>
                <td>{formatTime(s.suppressedAt)}</td>
                {writable ? (
                  <td>
                    <button
                      type="button"
                      disabled={busy === true}
                      aria-label={`Remove ${s.address}`}
                      onClick={() => remove(s)}
                    >
                      Remove
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
            {items.length === 0 ? (
              <tr>
                <td colSpan={writable ? 4 : 3}>No suppressed address on this channel.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      ) : null}
      <LoadMore next={next} more={more} />
    </section>
  );
}
