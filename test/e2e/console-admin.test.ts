import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from '../integration/harness.ts';
import { launchChromium, nav, signIn as signInAt, WAIT } from './browser.ts';

/**
 * The console's test sends, rendered messages, schedules and suppression list in a real headless
 * Chromium (Debian's `chromium` through playwright-core), against a Herald this file starts: a
 * test send of a draft campaign, its rendered HTML in a sandboxed frame where its script does not
 * run; a test to the simulator's bouncing address, whose suppression is then removed; a scheduled
 * run cancelled; and keys without the write scopes see none of those controls.
 */
const BOUNCE = 'bounce@simulator.amazonses.com';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let browser: Browser;
let admin: { sandbox: string; api: Client };
let draftId: string;
let scheduleId: string;

beforeAll(async () => {
  herald = await startTestHerald({}, { HERALD_CAMPAIGN_CACHE_SECONDS: '0' });
  admin = await sandboxWithKey(herald, ['admin']);
  // A transactional draft, never activated: a test sends it as it is.
  const draft = await admin.api.post<{ id: string }>('/campaigns', {
    name: 'Receipt',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    content: {
      subject: 'Your receipt, {{profile.firstName}}',
      html: '<h1>Thanks, {{profile.firstName}}</h1><script>document.body.append("SCRIPT RAN")</script>',
    },
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  draftId = draft.body.id;
  // A live marketing campaign with a run booked an hour from now.
  const audience = (await admin.api.post<{ id: string }>('/audiences', { name: 'Weekly' })).body.id;
  const member = await admin.api.put('/profiles', {
    identities: [{ namespace: 'email', id: 'dee@example.com' }],
    audiences: [audience],
  });
  expect(member.status).toBe(200);
  const weekly = await admin.api.post<{ id: string }>('/campaigns', {
    name: 'Weekly digest',
    category: 'marketing',
    channel: 'email',
    identityNamespace: 'email',
    audience: { id: audience },
    content: { subject: 'This week', text: 'News.' },
  });
  expect((await admin.api.post(`/campaigns/${weekly.body.id}/activate`)).status).toBe(200);
  const scheduled = await admin.api.post<{ scheduleId: string }>('/im/executions/audience', {
    campaignId: weekly.body.id,
    requestId: 'weekly-1',
    schedule: { executeAt: new Date(Date.now() + 3_600_000).toISOString() },
  });
  expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(202);
  scheduleId = scheduled.body.scheduleId;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

const signIn = (key: string) => signInAt(browser, herald.url, key);

async function keyWith(scopes: string[]): Promise<string> {
  const key = await herald.root.post<{ key: string }>('/api-keys', { sandbox: admin.sandbox, scopes });
  expect(key.status).toBe(201);
  return key.body.key;
}

describe('the console: test sends, rendered messages, schedules, the suppression list', () => {
  let page: Page;

  it("shows a bad address's message next to the field", async () => {
    page = await signIn(admin.api.key);
    await page.goto(`${herald.url}/console#/campaigns/${draftId}`);
    await page.getByRole('heading', { name: 'Receipt' }).waitFor();
    await page.getByLabel('Test email address').fill('not an address');
    await page.getByRole('button', { name: 'Send test' }).click();
    const form = page.getByRole('form', { name: 'Send test' });
    await form.locator('.field.invalid .field-error').getByText('must be an email address').waitFor();
    expect(await form.getByRole('alert').textContent()).toContain('The request is not valid');
  });

  it('sends a test of the draft and shows its rendered HTML in a sandboxed frame, scripts off', async () => {
    await page.getByLabel('Test email address').fill('Tester@Example.com');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByRole('status').getByText('Test queued to tester@example.com').waitFor();
    await page.getByRole('link', { name: 'See its status and rendered message' }).click();
    await page.getByTestId('test-send').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'tester@example.com' });
    await row.getByText('delivered', { exact: true }).first().waitFor(WAIT);
    await row.getByText('Rendered message').click();
    await row.getByText('Subject: Your receipt,').waitFor();
    const frame = row.locator('iframe.rendered-html');
    expect(await frame.getAttribute('sandbox')).toBe('');
    const inside = page.frameLocator('iframe.rendered-html');
    await inside.getByRole('heading', { name: 'Thanks,' }).waitFor();
    expect(await inside.getByText('SCRIPT RAN').count()).toBe(0);
    // A test is not an execution of the campaign: the list has none.
    await nav(page, 'Executions');
    await page.getByRole('cell', { name: 'No execution yet.' }).waitFor();
  });

  it("removes a test address's suppression from the suppression list", async () => {
    await page.goto(`${herald.url}/console#/campaigns/${draftId}`);
    await page.getByLabel('Test email address').fill(BOUNCE);
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByRole('status').getByText(`Test queued to ${BOUNCE}`).waitFor();
    // The simulator bounces it; the provider-events worker suppresses the address.
    await expect
      .poll(async () => (await admin.api.get(`/suppressions/email/${BOUNCE}`)).status, WAIT)
      .toBe(200);
    await nav(page, 'Suppression list');
    const row = page.getByRole('row').filter({ hasText: BOUNCE });
    await row.getByRole('cell', { name: 'hard-bounce' }).waitFor();
    await page.getByRole('button', { name: `Remove ${BOUNCE}` }).click();
    await page.getByRole('status').getByText(`${BOUNCE} is off the email suppression list.`).waitFor();
    await row.waitFor({ state: 'detached' });
    expect((await admin.api.get(`/suppressions/email/${BOUNCE}`)).status).toBe(404);
  });

  it('cancels a scheduled run from the Schedules screen', async () => {
    await nav(page, 'Schedules');
    const row = page.getByTestId(`schedule-${scheduleId}`);
    await row.getByText('Scheduled', { exact: true }).waitFor();
    await row.getByRole('button', { name: /^Cancel the run at/ }).click();
    await row.getByText('Cancelled', { exact: true }).waitFor();
    expect(await row.getByRole('button').count()).toBe(0);
    const stored = await admin.api.get<{ scheduleStatus: string }>(`/im/executions/schedules/${scheduleId}`);
    expect(stored.body.scheduleStatus).toBe('Cancelled');
    await page.context().close();
  });

  it("shows a profile's audiences", async () => {
    const profiles = await signIn(admin.api.key);
    await nav(profiles, 'Profiles');
    await profiles.getByLabel('Identity', { exact: true }).fill('dee@example.com');
    await profiles.getByRole('button', { name: 'Find profile' }).click();
    await profiles.getByTestId('profile-audiences').getByRole('link', { name: 'Weekly' }).waitFor();
    await profiles.context().close();
  });

  it('edits a feedback webhook: URL, channels, authentication and headers', async () => {
    const created = await admin.api.post<{ id: string }>('/webhooks', {
      name: 'crm',
      url: 'http://127.0.0.1:9/old',
      channels: ['email'],
      auth: { type: 'bearer', token: 'old-token-value' },
      headers: { 'X-Tenant': 'a' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    page = await signIn(admin.api.key);
    await nav(page, 'Administration › Feedback webhooks');
    await page.getByRole('button', { name: 'Edit crm' }).click();
    const form = page.getByRole('form', { name: 'Edit crm' });
    await form.getByLabel('URL').fill('http://127.0.0.1:9/new');
    await form.getByLabel('sms', { exact: true }).check();
    await form.getByLabel('Authentication').selectOption('basic');
    await form.getByLabel('crm: Username').fill('herald');
    await form.getByLabel('crm: Password').fill('pa55word');
    await form.getByRole('switch', { name: 'Replace the custom headers' }).check();
    // A reserved header is refused by name, next to the field, and nothing is changed.
    await form.getByLabel('crm: Custom headers').fill('Authorization: x');
    await form.getByRole('button', { name: 'Save webhook' }).click();
    await form.locator('.field.invalid .field-error').first().waitFor();
    expect((await admin.api.get<{ url: string }>(`/webhooks/${created.body.id}`)).body.url).toBe(
      'http://127.0.0.1:9/old',
    );
    await form.getByLabel('crm: Custom headers').fill('X-Env: prod\nX-Team: growth');
    await form.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByRole('status').getByText('Webhook crm saved.').waitFor();
    const stored = await admin.api.get(`/webhooks/${created.body.id}`);
    expect(stored.body).toMatchObject({
      url: 'http://127.0.0.1:9/new',
      channels: ['email', 'sms'],
      auth: { type: 'basic' },
      headers: ['X-Env', 'X-Team'],
    });
  });

  it('creates, edits and deletes a channel configuration, the SMTP password kept', async () => {
    await nav(page, 'Channel configurations');
    await page.getByRole('cell', { name: /No channel configuration/ }).waitFor();
    await page.getByRole('button', { name: 'New channel configuration' }).click();
    const form = page.getByRole('form', { name: 'New channel configuration' });
    await form.getByLabel('Configuration name').fill('Mail relay');
    const provider = (port: number) =>
      JSON.stringify({
        type: 'smtp',
        host: '127.0.0.1',
        port,
        secure: false,
        username: 'herald',
        password: 's3cret-pass',
        fromAddress: 'news@example.com',
      });
    await form.getByLabel('Provider (JSON)').fill('{ not json');
    await form.getByRole('button', { name: 'Create configuration' }).click();
    await form
      .locator('.field.invalid .field-error')
      .getByText(/^is not JSON/)
      .waitFor();
    await form.getByLabel('Provider (JSON)').fill(provider(0));
    await form.getByRole('button', { name: 'Create configuration' }).click();
    await form.locator('.field.invalid .field-error').getByText('must be 1 to 65535').waitFor();
    await form.getByLabel('Provider (JSON)').fill(provider(2525));
    await form.getByRole('button', { name: 'Create configuration' }).click();
    await page.getByRole('status').getByText('Mail relay saved.').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Mail relay' });
    await row.getByRole('cell', { name: 'smtp' }).waitFor();

    await page.getByRole('button', { name: 'Edit Mail relay' }).click();
    const edit = page.getByRole('form', { name: 'Edit Mail relay' });
    expect(await edit.getByLabel('Provider (JSON)').inputValue()).not.toContain('s3cret-pass');
    await edit.getByLabel('Rate limit (messages per second)').fill('5');
    await edit.getByRole('button', { name: 'Save configuration' }).click();
    await row.getByRole('cell', { name: '5/s' }).waitFor();
    const listed = await admin.api.get<{
      items: { name: string; rateLimitPerSec?: number; provider: unknown }[];
    }>('/channel-configurations');
    expect(listed.body.items.find((c) => c.name === 'Mail relay')).toMatchObject({
      rateLimitPerSec: 5,
      provider: { type: 'smtp', port: 2525, passwordSet: true },
    });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete Mail relay' }).click();
    await page.getByRole('status').getByText('Mail relay deleted.').waitFor();
    await row.waitFor({ state: 'detached' });
    await page.context().close();
  });

  it('hides Send test, Cancel and Remove from keys without executions:write or profiles:write', async () => {
    const reader = await signIn(
      await keyWith(['campaigns:read', 'campaigns:write', 'executions:read', 'profiles:read']),
    );
    await reader.goto(`${herald.url}/console#/campaigns/${draftId}`);
    await reader.getByRole('heading', { name: 'Receipt' }).waitFor();
    await reader.getByRole('button', { name: 'Save' }).waitFor();
    expect(await reader.getByRole('button', { name: 'Send test' }).count()).toBe(0);
    await nav(reader, 'Schedules');
    await reader.getByTestId(`schedule-${scheduleId}`).waitFor();
    expect(await reader.getByRole('button', { name: /^Cancel/ }).count()).toBe(0);
    await nav(reader, 'Suppression list');
    await reader.getByRole('table', { name: 'Suppressed email addresses' }).waitFor();
    expect(await reader.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    await reader.context().close();
    // Without profiles:read there is no suppression list at all; without executions:read no schedules.
    const campaignsOnly = await signIn(await keyWith(['campaigns:read']));
    expect(await campaignsOnly.getByRole('link', { name: 'Suppression list' }).count()).toBe(0);
    expect(await campaignsOnly.getByRole('link', { name: 'Schedules' }).count()).toBe(0);
    await campaignsOnly.context().close();
  });
});
