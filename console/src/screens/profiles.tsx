import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Field, fieldError, formatTime, LoadMore, ProblemBanner } from '../components.tsx';
import { usePagedList } from '../paged.ts';
import { href } from '../router.ts';
import { can } from '../scopes.ts';
import type {
  CampaignView,
  Page,
  ProfileAudiences,
  ProfileMessageView,
  ProfileView,
  WhoamiView,
} from '../types.ts';

/**
 * Find a profile by one of its identities: its identities, attributes, consent, dataset, the
 * audiences it is a member of (GET /profiles/{namespace}/{id}/audiences) and, with
 * executions:read, its latest messages (GET /profiles/{namespace}/{id}/messages).
 */
export function Profiles({ me }: { me: WhoamiView }) {
  const [namespace, setNamespace] = useState('email');
  const [id, setId] = useState('');
  const [profile, setProfile] = useState<ProfileView>();
  const [audiences, setAudiences] = useState<ProfileAudiences['items']>();
  const [error, setError] = useState<unknown>();
  const [found, setFound] = useState<string>();
  const find = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setProfile(undefined);
    setAudiences(undefined);
    setFound(undefined);
    const path = `/profiles/${encodeURIComponent(namespace)}/${encodeURIComponent(id.trim())}`;
    try {
      const [found, memberships] = await Promise.all([
        api.get<ProfileView>(path),
        api.get<ProfileAudiences>(`${path}/audiences`),
      ]);
      setProfile(found);
      setAudiences(memberships.items);
      setFound(path);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="profiles-title">
      <h1 id="profiles-title">Profiles</h1>
      <form class="group" onSubmit={find}>
        <div class="filters">
          <Field label="Namespace" error={fieldError(error, 'namespace')}>
            {(fieldId) => (
              <input id={fieldId} value={namespace} onInput={(e) => setNamespace(e.currentTarget.value)} />
            )}
          </Field>
          <Field label="Identity" error={fieldError(error, 'id')}>
            {(fieldId) => <input id={fieldId} value={id} onInput={(e) => setId(e.currentTarget.value)} />}
          </Field>
        </div>
        <button type="submit">Find profile</button>
      </form>
      <ProblemBanner error={error} />
      {profile ? (
        <div class="group" data-testid="profile">
          <dl class="facts">
            <dt>Profile</dt>
            <dd>
              <code>{profile.profileId}</code> ({profile.dataset})
            </dd>
            <dt>Identities</dt>
            <dd>{profile.identities.map((i) => `${i.namespace}: ${i.id}`).join(', ')}</dd>
            <dt>Marketing consent</dt>
            <dd>
              {Object.entries(profile.consent.marketing ?? {})
                .map(([channel, value]) => `${channel}: ${value}`)
                .join(', ') || 'none given'}
            </dd>
            <dt>Created</dt>
            <dd>{formatTime(profile.createdAt)}</dd>
            <dt>Modified</dt>
            <dd>{formatTime(profile.modifiedAt)}</dd>
          </dl>
          <h2>Audiences</h2>
          {audiences && audiences.length > 0 ? (
            <ul data-testid="profile-audiences">
              {audiences.map((a) => (
                <li key={a.id}>
                  <a href={href('audiences')}>{a.name}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p>In no audience.</p>
          )}
          {found && can(me, 'executions:read') ? <LatestMessages me={me} path={found} key={found} /> : null}
          <h2>Attributes</h2>
          <pre>{JSON.stringify(profile.attributes, null, 2)}</pre>
          {profile.consentChanges?.length ? (
            <>
              <h2>Consent changes</h2>
              <ul>
                {profile.consentChanges.map((c) => (
                  <li key={c.at}>
                    {c.channel}: {c.value} via {c.via}, {formatTime(c.at)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** The profile's messages, newest first, a page at a time; each opens its execution. */
function LatestMessages({ me, path }: { me: WhoamiView; path: string }) {
  const [error, setError] = useState<unknown>();
  const [campaigns, setCampaigns] = useState<Record<string, string>>({});
  const page = (cursor?: string) =>
    api.get<Page<ProfileMessageView>>(
      `${path}/messages?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
  const { items, next, more } = usePagedList(page, setError, [path]);
  useEffect(() => {
    if (!can(me, 'campaigns:read')) return;
    api
      .get<Page<CampaignView>>('/campaigns?limit=100')
      .then((list) => setCampaigns(Object.fromEntries(list.items.map((c) => [c.id, c.name]))), setError);
  }, []);
  return (
    <>
      <h2 id="profile-messages-title">Latest messages</h2>
      <ProblemBanner error={error} />
      {items === undefined && !error ? <p class="loading">Loading…</p> : null}
      {items && items.length === 0 ? <p>No message yet.</p> : null}
      {items && items.length > 0 ? (
        <table class="list" aria-labelledby="profile-messages-title" data-testid="profile-messages">
          <thead>
            <tr>
              <th scope="col">Sent</th>
              <th scope="col">Status</th>
              <th scope="col">Channel</th>
              <th scope="col">Campaign</th>
              <th scope="col">To</th>
            </tr>
          </thead>
          <tbody>
            {items.map((m) => (
              <tr key={m.messageId}>
                <td>
                  <a href={href('executions', m.executionId)}>{formatTime(m.createdAt)}</a>
                </td>
                <td>
                  <span class={`status ms-${m.status}`}>{m.status}</span>
                  {m.statusCode ? <span class="hint"> ({m.statusCode})</span> : null}
                  <span class="hint"> {formatTime(m.updatedAt)}</span>
                </td>
                <td>{m.channel}</td>
                <td>
                  <a href={href('campaigns', m.campaignId)}>{campaigns[m.campaignId] ?? m.campaignId}</a>
                </td>
                <td>
                  {m.namespace}: {m.userId}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore next={next} more={more} label="More messages" />
    </>
  );
}
