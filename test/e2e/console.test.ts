import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from '../integration/harness.ts';
import { startReceiver } from '../integration/receiver.ts';
import { launchChromium, nav, signIn as signInAt, WAIT } from './browser.ts';

/**
 * The console in a real headless Chromium (Debian's `chromium`, driven by playwright-core; never a
 * downloaded browser), against a Herald this file starts and stops: sign in, a marketing campaign
 * built through the Audience tab and run to the end, a transactional one with "create new
 * profiles" and "enable webhooks" triggered through the API, a feedback webhook with its test and
 * attempt log, and a read-only key that sees no write control.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let browser: Browser;
let admin: { sandbox: string; api: Client };
let audienceId: string;

beforeAll(async () => {
  // Campaigns read at once after activation (production caches them for 5 s per container).
  herald = await startTestHerald({}, { HERALD_CAMPAIGN_CACHE_SECONDS: '0' });
  receiver = await startReceiver();
  // A fixed name: the screenshot the test saves for the README stays the same from run to run.
  admin = await sandboxWithKey(herald, ['admin'], 'prod');
  // An audience of three, two of whom consent to marketing email.
  audienceId = (await admin.api.post<{ id: string }>('/audiences', { name: 'Newsletter' })).body.id;
  for (const [who, consent] of [
    ['ann', 'y'],
    ['bob', 'y'],
    ['cat', 'n'],
  ] as const) {
    const upserted = await admin.api.put('/profiles', {
      identities: [{ namespace: 'email', id: `${who}@example.com` }],
      consent: { marketing: { email: consent } },
      audiences: [audienceId],
    });
    expect(upserted.status).toBe(200);
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.stop();
  await herald?.stop();
});

/** A fresh browser context (its own sessionStorage) signed in with `key`. */
const signIn = (key: string) => signInAt(browser, herald.url, key);

const tab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true }).click();

describe('the console', () => {
  let page: Page;

  it('signs in with a key, keeps it in sessionStorage only, and shows the sandbox and scopes', async () => {
    page = await signIn(admin.api.key);
    expect(await page.getByTestId('sandbox').textContent()).toBe(admin.sandbox);
    expect(await page.getByRole('region', { name: 'Signed in' }).textContent()).toContain('admin');
    expect(await page.evaluate(() => sessionStorage.getItem('herald.apiKey'))).toBe(admin.api.key);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect((await page.context().cookies()).length).toBe(0);
    expect(page.url()).not.toContain(admin.api.key);
  });

  it('refuses a wrong key with the problem document', async () => {
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto(`${herald.url}/console`);
    await other.getByLabel('API key').fill('hrld_not-a-key-of-this-herald');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('alert').waitFor();
    expect(await other.getByRole('alert').textContent()).toMatch(/unauthori[sz]ed|not valid|unknown/i);
    await context.close();
  });

  it('creates a marketing campaign through the Audience tab, activates and runs it to the end', async () => {
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByLabel('Name').fill('Flash sale');
    await page.getByLabel('Category').selectOption('marketing');
    await page.getByLabel('Channel', { exact: true }).selectOption('email');
    await tab(page, 'Audience');
    await page.getByRole('heading', { name: 'Audience', exact: true }).waitFor();
    await page.getByLabel('Identity type').selectOption('email');
    await page.getByRole('button', { name: 'Select audience' }).click();
    const dialog = page.getByRole('dialog', { name: 'Select audience' });
    await dialog.getByRole('cell', { name: '3', exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Choose Newsletter' }).click();
    await page.getByTestId('selected-audience').filter({ hasText: 'Newsletter (3 members)' }).waitFor();
    expect(await page.getByRole('switch', { name: 'Create new profiles' }).isDisabled()).toBe(true);
    // The README's picture of the Audience tab is this screenshot, taken again on every run.
    const screenshot = path.join(ROOT, 'docs/console-audience.png');
    const taken = Date.now();
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).mtimeMs).toBeGreaterThanOrEqual(taken - 1000);
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('](docs/console-audience.png)');
    await tab(page, 'Content');
    await page.getByLabel('Subject').fill('20% off today');
    await page.getByLabel('Text', { exact: true }).fill('Use code SALE20.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Flash sale' }).waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByTestId('campaign-status').filter({ hasText: 'live' }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByText('The run has finished.').waitFor(WAIT);
    expect(await page.getByTestId('run-status').textContent()).toBe('Succeeded');
    const bar = page.getByRole('figure', { name: 'Messages per status', exact: true });
    expect(await bar.textContent()).toContain('delivered: 2');
    expect(await page.getByText('no-consent: 1').count()).toBe(1);
  });

  it('shows a problem next to the field: a marketing campaign without audience cannot be activated', async () => {
    await page.goto(`${herald.url}/console#/campaigns/new`);
    await page.getByLabel('Name').fill('No audience yet');
    await page.getByLabel('Category').selectOption('marketing');
    await tab(page, 'Content');
    await page.getByLabel('Subject').fill('Hello');
    await page.getByLabel('Text', { exact: true }).fill('Hi.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'No audience yet' }).waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByRole('alert').waitFor();
    await tab(page, 'Audience');
    const fieldMessage = page.locator('.field.invalid .field-error');
    await fieldMessage.waitFor();
    expect(await fieldMessage.textContent()).toBeTruthy();
    expect(await page.getByTestId('campaign-status').textContent()).toBe('draft');
  });

  it('configures a feedback webhook: the secret is shown once, a test is sent and logged', async () => {
    await page.getByRole('link', { name: 'Administration › Feedback webhooks' }).click();
    await page.getByRole('heading', { name: 'Feedback webhooks' }).waitFor();
    await page.getByLabel('Webhook name').fill('my backend');
    await page.getByLabel('URL').fill(receiver.url('/herald'));
    await page.getByRole('button', { name: 'Create webhook' }).click();
    expect(await page.getByTestId('webhook-secret').textContent()).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Send a test to my backend' }).click();
    await page.getByText(/Test delivered \(HTTP 204\)/).waitFor(WAIT);
    await page.getByRole('button', { name: 'Attempt log' }).click();
    const log = page.getByRole('region', { name: 'Attempt log' });
    await log.getByRole('cell', { name: 'delivered', exact: true }).first().waitFor(WAIT);
    expect(receiver.received.filter((r) => r.path === '/herald').length).toBeGreaterThanOrEqual(1);
    await page.getByRole('button', { name: 'Rotate the secret of my backend' }).click();
    await page.getByText(/New secret \(shown once.*whsec_/).waitFor();
  });

  it('creates a transactional campaign with Create new profiles and Enable webhooks, and shows its statuses', async () => {
    await page.goto(`${herald.url}/console#/campaigns/new`);
    await page.getByLabel('Name').fill('Welcome');
    await tab(page, 'Audience');
    await page.getByText('1 to 20 unique user ids').waitFor();
    await page.getByRole('switch', { name: 'Create new profiles' }).check();
    await page.getByRole('switch', { name: 'Enable webhooks' }).check();
    expect(
      await page.getByRole('link', { name: 'Feedback webhooks', exact: true }).getAttribute('href'),
    ).toBe('#/admin/webhooks');
    await tab(page, 'Content');
    await page.getByLabel('Subject').fill('Welcome, {{context.name}}');
    // The live preview, rendered by Herald: the template error next to its field, then the text.
    await page.getByLabel('Text', { exact: true }).fill('Glad {{profile.firstName');
    await page
      .locator('.field.invalid')
      .getByText(/never closed/)
      .waitFor(WAIT);
    await page.getByLabel('Text', { exact: true }).fill('Glad to have you, {{profile.firstName}}.');
    await page.getByLabel('Context (JSON)').fill('{"name": "Dee"}');
    const preview = page.getByTestId('preview');
    await preview.getByText('Welcome, Dee').waitFor(WAIT);
    await preview.getByText('Glad to have you, Ann.').waitFor(WAIT);
    expect(await page.locator('.field.invalid').count()).toBe(0);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByTestId('campaign-status').filter({ hasText: 'live' }).waitFor();
    await tab(page, 'Audience');
    const example = (await page.locator('figure.example pre').textContent()) ?? '';
    const campaignId = page.url().split('/').pop() ?? '';
    expect(example).toContain(campaignId);
    expect(await page.getByRole('switch', { name: 'Create new profiles' }).isChecked()).toBe(true);

    const before = receiver.received.length;
    const trigger = await admin.api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: 'welcome-0001',
      campaignId,
      recipients: [
        { type: 'aep', userId: 'new.person@example.com', namespace: 'email', context: { name: 'Dee' } },
      ],
    });
    expect(trigger.status).toBe(202);
    await page.getByRole('link', { name: 'Executions' }).click();
    await page.getByLabel('Execution id').fill(trigger.body.executionId);
    await page.getByRole('button', { name: 'Open execution' }).click();
    const row = page.getByRole('row').filter({ hasText: 'new.person@example.com' });
    await row.getByText('delivered', { exact: true }).first().waitFor(WAIT);
    expect(await row.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^queued/),
      expect.stringMatching(/^sent/),
      expect.stringMatching(/^delivered/),
    ]);
    await row.getByText('Rendered message').click();
    await row.getByText('Subject: Welcome, Dee').waitFor();
    // Enable webhooks: the statuses reached the feedback webhook configured above.
    // Create new profiles: the trigger made a profile for the unknown recipient.
    await nav(page, 'Profiles');
    await page.getByLabel('Identity', { exact: true }).fill('new.person@example.com');
    await page.getByRole('button', { name: 'Find profile' }).click();
    await page.getByTestId('profile').getByText('interactive-messaging', { exact: false }).waitFor();
    // Its latest messages: the one just sent, with its status, channel and campaign, opening its execution.
    const message = page.getByTestId('profile-messages').getByRole('row').filter({ hasText: 'Welcome' });
    await message.getByText('delivered', { exact: true }).waitFor(WAIT);
    expect(await message.getByRole('cell', { name: 'email', exact: true }).count()).toBe(1);
    await message.locator(`a[href="#/executions/${trigger.body.executionId}"]`).click();
    await page.getByRole('heading', { name: `Execution ${trigger.body.executionId}` }).waitFor();
    // The Executions list: both runs, newest first, each with its counts per status.
    await nav(page, 'Executions');
    const rows = page.getByRole('table', { name: 'Recent executions' }).getByRole('row');
    await rows.filter({ hasText: 'welcome-0001' }).getByText('delivered: 1').waitFor(WAIT);
    await rows.filter({ hasText: 'audience' }).getByText('delivered: 2').waitFor(WAIT);
    expect(await rows.nth(1).textContent()).toContain('unitary');
    await page.getByLabel('Kind').selectOption('audience');
    await rows.filter({ hasText: 'welcome-0001' }).waitFor({ state: 'detached' });
    await rows.filter({ hasText: 'Flash sale' }).waitFor();
    expect(await rows.filter({ hasText: 'unitary' }).count()).toBe(0);
    await expect
      .poll(
        () => receiver.received.slice(before).filter((r) => r.body.includes(trigger.body.executionId)).length,
        WAIT,
      )
      .toBeGreaterThanOrEqual(2);
  });

  it('imports a 5,000-line CSV from the browser, with its progress and rejected lines', async () => {
    await nav(page, 'Audiences');
    await page.getByLabel('Audience name').fill('Big import');
    await page.getByRole('button', { name: 'Create audience' }).click();
    await page.getByRole('button', { name: 'Import into Big import' }).click();
    // Identities, an attribute and marketing consent per row (a quoted name with a comma in it).
    const rows = Array.from(
      { length: 5_000 },
      (_, n) => `person${n}@example.com,"Person ${n}, Jr.",${n % 2 ? 'y' : 'n'}`,
    );
    rows[10] = 'not-an-email,Nobody,y';
    rows[2_500] = ',,';
    rows[4_998] = 'x@@example.com,X,n';
    await page.getByLabel('File to import').setInputFiles({
      name: 'members.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(['email,attributes.name,consent.marketing.email', ...rows].join('\n')),
    });
    const status = page.getByTestId('import-status');
    // 5,001 lines: the header is line 1.
    await status
      .getByText(/Import finished: 5001 of 5001 lines, 4997 imported/)
      .waitFor({ timeout: 300_000 });
    expect(await status.textContent()).toContain('3 rejected');
    expect(await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('value')).toBe(
      '5001',
    );
    const rejected = page.getByRole('table', { name: 'Rejected lines' }).getByRole('row');
    expect(await rejected.count()).toBe(4);
    // Row 10 of the data is line 12 of the file.
    expect((await rejected.nth(1).textContent()) ?? '').toMatch(/^12/);
    // The attribute and the consent reached the profile.
    const imported = await admin.api.get<{ attributes: Record<string, unknown>; consent: unknown }>(
      '/profiles/email/person7@example.com',
    );
    expect(imported.body).toMatchObject({
      attributes: { name: 'Person 7, Jr.' },
      consent: { marketing: { email: 'y' } },
    });
    await page
      .getByRole('row')
      .filter({ hasText: 'Big import' })
      .getByRole('cell', { name: '4997' })
      .waitFor();
  }, 360_000);

  it('creates a read-only key under API keys, and hides every write control from it', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name').fill('reader');
    for (const scope of ['executions:read', 'audiences:read', 'profiles:read']) {
      await page.getByLabel(scope, { exact: true }).check();
    }
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-api-key').textContent()) ?? '';
    expect(key).toMatch(/^hrld_/);
    await page.getByRole('row').filter({ hasText: 'reader' }).waitFor();
    const readOnly = await signIn(key);
    expect(await readOnly.getByRole('region', { name: 'Signed in' }).textContent()).not.toContain('admin');
    expect(await readOnly.getByRole('button', { name: 'New campaign' }).count()).toBe(0);
    expect(await readOnly.getByRole('link', { name: 'Administration › Feedback webhooks' }).count()).toBe(0);
    await readOnly.getByRole('link', { name: 'Flash sale' }).click();
    await readOnly.getByRole('heading', { name: 'Flash sale' }).waitFor();
    for (const name of ['Save', 'Activate', 'Stop', 'Duplicate', 'Archive', 'Delete', 'Run now']) {
      expect(await readOnly.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await readOnly.getByLabel('Name').isDisabled()).toBe(true);
    await tab(readOnly, 'Audience');
    expect(await readOnly.getByRole('button', { name: 'Select audience' }).count()).toBe(0);
    expect(await readOnly.getByLabel('Identity type').isDisabled()).toBe(true);
    await readOnly.getByTestId('selected-audience').filter({ hasText: 'Newsletter (3 members)' }).waitFor();
    await nav(readOnly, 'Audiences');
    await readOnly.getByRole('cell', { name: 'Newsletter' }).waitFor();
    expect(await readOnly.getByRole('button', { name: 'Create audience' }).count()).toBe(0);
    expect(await readOnly.getByRole('button', { name: /^Import into/ }).count()).toBe(0);
    await readOnly.context().close();
  });
});
