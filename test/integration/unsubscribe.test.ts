import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config.ts';
import { signUnsubscribeToken } from '../../shared/domain/unsubscribe-token.ts';
import { unsubscribeKeyring } from '../../shared/roots/unsubscribe-parts.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';

/**
 * The public unsubscribe links through the real HTTP routes: GET changes nothing, POST (one-click
 * or the page's button) withdraws marketing consent once and says when and how, anything not
 * signed by this deployment for an existing profile is 404 with nothing changed, and the next
 * marketing send excludes the profile `no-consent`.
 */
const SECRET = 'unsubscribe-secret-of-this-test-run-0123456789';
const keyring = unsubscribeKeyring(parseConfig({ TABLE_NAME: 't', HERALD_UNSUBSCRIBE_SECRET: SECRET }));
const otherKeyring = unsubscribeKeyring(
  parseConfig({ TABLE_NAME: 't', HERALD_UNSUBSCRIBE_SECRET: `another-deployment-${SECRET}` }),
);

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let a: { sandbox: string; api: Client };
let b: { sandbox: string; api: Client };

interface Profile {
  profileId: string;
  consent: { marketing?: Record<string, string> };
  consentChanges?: { channel: string; value: string; at: string; via: string }[];
}

async function profile(api: Client, email: string) {
  const answer = await api.get<Profile>(`/profiles/email/${email}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

async function subscriber(api: Client, email: string, audiences: string[] = []) {
  await api.put('/profiles', {
    identities: [{ namespace: 'email', id: email }],
    consent: { marketing: { email: 'y', sms: 'y' } },
    audiences,
  });
  return profile(api, email);
}

const post = (token: string, body: string, contentType = 'application/x-www-form-urlencoded') =>
  fetch(`${herald.url}/u/${token}`, { method: 'POST', headers: { 'content-type': contentType }, body });

beforeAll(async () => {
  herald = await startTestHerald({}, { HERALD_UNSUBSCRIBE_SECRET: SECRET });
  a = await sandboxWithKey(herald, ['admin']);
  b = await sandboxWithKey(herald, ['admin']);
});

afterAll(async () => {
  await herald?.stop();
});

describe('unsubscribe links', () => {
  it('shows a page on GET and changes nothing; no API key is needed', async () => {
    const ann = await subscriber(a.api, 'ann@example.com');
    const token = signUnsubscribeToken(keyring, {
      sandbox: a.sandbox,
      profileId: ann.profileId,
      channel: 'email',
    });
    const page = await fetch(`${herald.url}/u/${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain('marketing email');
    expect((await profile(a.api, 'ann@example.com')).consent.marketing?.email).toBe('y');
  });

  it('withdraws marketing consent on one-click (RFC 8058), once, recording when and how', async () => {
    const bob = await subscriber(a.api, 'bob@example.com');
    const token = signUnsubscribeToken(keyring, {
      sandbox: a.sandbox,
      profileId: bob.profileId,
      channel: 'email',
    });
    const first = await post(token, 'List-Unsubscribe=One-Click');
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('You are unsubscribed');
    const after = await profile(a.api, 'bob@example.com');
    expect(after.consent.marketing).toEqual({ email: 'n', sms: 'y' });
    expect(after.consentChanges).toEqual([
      { channel: 'email', value: 'n', at: expect.any(String), via: 'one-click' },
    ]);
    // Again (mailbox providers retry): the same answer, nothing more recorded.
    expect((await post(token, 'List-Unsubscribe=One-Click')).status).toBe(200);
    expect((await profile(a.api, 'bob@example.com')).consentChanges).toHaveLength(1);

    // The page's button records itself as such, on its own channel.
    const sms = signUnsubscribeToken(keyring, {
      sandbox: a.sandbox,
      profileId: bob.profileId,
      channel: 'sms',
    });
    expect((await post(sms, 'confirm=yes')).status).toBe(200);
    const both = await profile(a.api, 'bob@example.com');
    expect(both.consent.marketing).toEqual({ email: 'n', sms: 'n' });
    expect(both.consentChanges?.map((c) => `${c.channel}:${c.via}`)).toEqual([
      'email:one-click',
      'sms:unsubscribe-page',
    ]);
  });

  it('answers 404 to a forged, altered, foreign or dangling token, and changes nothing', async () => {
    const cy = await subscriber(a.api, 'cy@example.com');
    const theirs = await subscriber(b.api, 'cy@example.com');
    const good = signUnsubscribeToken(keyring, {
      sandbox: a.sandbox,
      profileId: cy.profileId,
      channel: 'email',
    });
    const [kid, payload, mac] = good.split('.') as [string, string, string];
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    const tokens = {
      forged: signUnsubscribeToken(otherKeyring, {
        sandbox: a.sandbox,
        profileId: cy.profileId,
        channel: 'email',
      }),
      altered: `${kid}.${payload}.${flipped}`,
      // Sandbox A's signature over B's profile id: no such profile in A, and B's is untouched.
      foreign: signUnsubscribeToken(keyring, {
        sandbox: a.sandbox,
        profileId: theirs.profileId,
        channel: 'email',
      }),
      dangling: signUnsubscribeToken(keyring, {
        sandbox: a.sandbox,
        profileId: 'no-such-profile',
        channel: 'email',
      }),
      garbage: 'not-a-token',
    };
    for (const [what, token] of Object.entries(tokens)) {
      const answer = await post(token, 'List-Unsubscribe=One-Click');
      expect(answer.status, what).toBe(404);
      expect(answer.headers.get('content-type'), what).toBe('application/problem+json');
      expect((await fetch(`${herald.url}/u/${token}`)).status, what).toBe(404);
    }
    expect((await profile(a.api, 'cy@example.com')).consent.marketing?.email).toBe('y');
    expect((await profile(b.api, 'cy@example.com')).consent.marketing?.email).toBe('y');
  });

  it('makes the next marketing send exclude the profile no-consent', async () => {
    const audience = (await a.api.post<{ id: string }>('/audiences', { name: 'News' })).body.id;
    const dee = await subscriber(a.api, 'dee@example.com', [audience]);
    await subscriber(a.api, 'eve@example.com', [audience]);
    const campaign = await a.api.post<{ id: string }>('/campaigns', {
      name: 'News',
      category: 'marketing',
      channel: 'email',
      identityNamespace: 'email',
      audience: { id: audience },
      content: { subject: 'News', html: '<p>news</p>' },
    });
    expect((await a.api.post(`/campaigns/${campaign.body.id}/activate`)).status).toBe(200);
    const token = signUnsubscribeToken(keyring, {
      sandbox: a.sandbox,
      profileId: dee.profileId,
      channel: 'email',
    });
    expect((await post(token, 'List-Unsubscribe=One-Click')).status).toBe(200);

    const run = await a.api.post<{ executionId: string }>('/im/executions/audience', {
      campaignId: campaign.body.id,
      requestId: 'news-1',
    });
    expect(run.status).toBe(202);
    let status: { status: string; counts: { queued: number; excluded: Record<string, number> } } | undefined;
    await waitFor(async () => {
      status = (
        await a.api.get<NonNullable<typeof status>>(`/im/executions/audience/${run.body.executionId}`)
      ).body;
      return status.status === 'Succeeded' && status.counts.queued === 0;
    }, 'the run to finish');
    expect(status?.counts.excluded).toEqual({ 'no-consent': 1 });
  });
});
