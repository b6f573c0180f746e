import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, call } from './api.ts';
import { href, useRoute } from './router.ts';
import { can } from './scopes.ts';
import { ApiKeys } from './screens/api-keys.tsx';
import { Audiences } from './screens/audiences.tsx';
import { CampaignEditor } from './screens/campaign-editor.tsx';
import { CampaignList } from './screens/campaign-list.tsx';
import { ChannelConfigurations } from './screens/channel-configurations.tsx';
import { ExecutionList, ExecutionView } from './screens/executions.tsx';
import { Profiles } from './screens/profiles.tsx';
import { Schedules } from './screens/schedules.tsx';
import { SignIn } from './screens/sign-in.tsx';
import { Suppressions } from './screens/suppressions.tsx';
import { Webhooks } from './screens/webhooks.tsx';
import { session } from './session.ts';
import type { WhoamiView } from './types.ts';

/** Signs in (or resumes this tab's session), then shows the screens the key's scopes allow. */
export function App() {
  const [me, setMe] = useState<WhoamiView>();
  const [resuming, setResuming] = useState(session.key() !== undefined);
  useEffect(() => {
    if (!resuming) return;
    call<WhoamiView>('GET', '/whoami')
      .then(setMe)
      .catch((error: unknown) => {
        if (error instanceof ApiProblem && error.status === 401) session.signOut();
      })
      .finally(() => setResuming(false));
  }, [resuming]);
  if (resuming) return <p class="loading">Loading…</p>;
  if (!me) return <SignIn onSignedIn={setMe} />;
  return (
    <Shell
      me={me}
      onSignOut={() => {
        session.signOut();
        setMe(undefined);
      }}
    />
  );
}

function Shell({ me, onSignOut }: { me: WhoamiView; onSignOut: () => void }) {
  const route = useRoute();
  const [section = 'campaigns', id, sub] = route;
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">Herald</span>
        <nav aria-label="Main">
          <a href={href('campaigns')} aria-current={section === 'campaigns' ? 'page' : undefined}>
            Campaigns
          </a>
          <a href={href('executions')} aria-current={section === 'executions' ? 'page' : undefined}>
            Executions
          </a>
          {can(me, 'executions:read') ? (
            <a href={href('schedules')} aria-current={section === 'schedules' ? 'page' : undefined}>
              Schedules
            </a>
          ) : null}
          {can(me, 'audiences:read') ? (
            <a href={href('audiences')} aria-current={section === 'audiences' ? 'page' : undefined}>
              Audiences
            </a>
          ) : null}
          {can(me, 'profiles:read') ? (
            <a href={href('profiles')} aria-current={section === 'profiles' ? 'page' : undefined}>
              Profiles
            </a>
          ) : null}
          {can(me, 'webhooks:admin') ? (
            <a
              href={href('admin', 'webhooks')}
              aria-current={
                section === 'admin' && (id === undefined || id === 'webhooks') ? 'page' : undefined
              }
            >
              Administration › Feedback webhooks
            </a>
          ) : null}
          {can(me, 'channels:admin') ? (
            <a
              href={href('admin', 'channels')}
              aria-current={section === 'admin' && id === 'channels' ? 'page' : undefined}
            >
              Channel configurations
            </a>
          ) : null}
          {can(me, 'profiles:read') ? (
            <a
              href={href('admin', 'suppressions')}
              aria-current={section === 'admin' && id === 'suppressions' ? 'page' : undefined}
            >
              Suppression list
            </a>
          ) : null}
          {can(me, 'admin') ? (
            <a
              href={href('admin', 'keys')}
              aria-current={section === 'admin' && id === 'keys' ? 'page' : undefined}
            >
              API keys
            </a>
          ) : null}
        </nav>
        <section class="whoami" aria-label="Signed in">
          Sandbox <strong data-testid="sandbox">{me.sandbox}</strong>
          <span class="scopes" title="What this key may do">
            {me.scopes.map((scope) => (
              <span class="scope" key={scope}>
                {scope}
              </span>
            ))}
          </span>
          <button type="button" class="link" onClick={onSignOut}>
            Sign out
          </button>
        </section>
      </header>
      <main>
        {section === 'campaigns' && id === undefined ? <CampaignList me={me} /> : null}
        {section === 'campaigns' && id !== undefined ? (
          <CampaignEditor me={me} id={id === 'new' ? undefined : id} key={id} initialTab={sub} />
        ) : null}
        {section === 'executions' && id === undefined ? <ExecutionList me={me} /> : null}
        {section === 'executions' && id !== undefined ? <ExecutionView id={id} key={id} /> : null}
        {section === 'audiences' ? <Audiences me={me} /> : null}
        {section === 'profiles' ? <Profiles me={me} /> : null}
        {section === 'admin' && id === 'keys' ? <ApiKeys me={me} /> : null}
        {section === 'schedules' ? <Schedules me={me} /> : null}
        {section === 'admin' && id === 'suppressions' ? <Suppressions me={me} /> : null}
        {section === 'admin' && id === 'channels' ? <ChannelConfigurations me={me} /> : null}
        {section === 'admin' && (id === undefined || id === 'webhooks') ? <Webhooks me={me} /> : null}
      </main>
    </div>
  );
}
