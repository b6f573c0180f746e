import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Field, fieldError, formatTime, ProblemBanner } from '../components.tsx';
import { href } from '../router.ts';
import type { ProfileAudiences, ProfileView } from '../types.ts';

/**
 * Find a profile by one of its identities: its identities, attributes, consent, dataset and the
 * audiences it is a member of (GET /profiles/{namespace}/{id}/audiences).
 */
export function Profiles() {
  const [namespace, setNamespace] = useState('email');
  const [id, setId] = useState('');
  const [profile, setProfile] = useState<ProfileView>();
  const [audiences, setAudiences] = useState<ProfileAudiences['items']>();
  const [error, setError] = useState<unknown>();
  const find = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setProfile(undefined);
    setAudiences(undefined);
    const path = `/profiles/${encodeURIComponent(namespace)}/${encodeURIComponent(id.trim())}`;
    try {
      const [found, memberships] = await Promise.all([
        api.get<ProfileView>(path),
        api.get<ProfileAudiences>(`${path}/audiences`),
      ]);
      setProfile(found);
      setAudiences(memberships.items);
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
