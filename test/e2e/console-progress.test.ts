import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDefinitions } from '../../shared/definitions/queues.ts';
import { dispatchRoot } from '../../shared/roots/dispatch.ts';
import { type DispatchJob, dispatchJobSchema } from '../../shared/schemas/dispatch-job.ts';
import { dispatchJob } from '../../shared/use-cases/dispatch.ts';
import { type Client, sandboxWithKey, startTestHerald } from '../integration/harness.ts';
import { launchChromium, signIn, WAIT } from './browser.ts';

/**
 * An audience run's progress while it runs, in a real headless Chromium: the Herald this file
 * starts has no dispatch poller, so the run's dispatch jobs wait on the queue until the test runs
 * them one by one (the real dispatcher, in this process). The run page shows what is sent, what
 * was excluded and why, and what remains, at each step, then that it has finished.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let browser: Browser;
let admin: { sandbox: string; api: Client };
let campaignId: string;
/** Members who consent (each gets a message) and who do not (excluded: no-consent). */
const CONSENTING = 10;
const REFUSING = 2;

beforeAll(async () => {
  herald = await startTestHerald(
    { queues: queueDefinitions.filter((q) => q.name !== 'dispatch') },
    { HERALD_CAMPAIGN_CACHE_SECONDS: '0' },
  );
  admin = await sandboxWithKey(herald, ['admin']);
  const audience = (await admin.api.post<{ id: string }>('/audiences', { name: 'Regulars' })).body.id;
  for (let n = 0; n < CONSENTING + REFUSING; n++) {
    const upserted = await admin.api.put('/profiles', {
      identities: [{ namespace: 'email', id: `member${n}@example.com` }],
      consent: { marketing: { email: n < CONSENTING ? 'y' : 'n' } },
      audiences: [audience],
    });
    expect(upserted.status).toBe(200);
  }
  const campaign = await admin.api.post<{ id: string }>('/campaigns', {
    name: 'Spring sale',
    category: 'marketing',
    channel: 'email',
    identityNamespace: 'email',
    audience: { id: audience },
    content: { subject: 'Spring', text: 'Sale.' },
  });
  expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
  campaignId = campaign.body.id;
  expect((await admin.api.post(`/campaigns/${campaignId}/activate`)).status).toBe(200);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

/** The next job waiting on the dispatch queue (no poller takes it here), deleted from it; undefined when none is left. */
async function nextJob(): Promise<DispatchJob | undefined> {
  const queueUrl = herald.queueUrls.DISPATCH_QUEUE_URL as string;
  const { Messages } = await herald.clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
  );
  const message = Messages?.[0];
  if (!message) return undefined;
  await herald.clients.sqs.send(
    new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
  );
  return dispatchJobSchema.parse(JSON.parse(message.Body ?? '{}'));
}

const fact = (page: Page, id: string) => page.getByTestId(id);

describe('an audience run in the console', () => {
  it('shows sent, excluded by reason and remaining while it runs, then that it has finished', async () => {
    const page = await signIn(browser, herald.url, admin.api.key);
    const run = await admin.api.post<{ executionId: string }>('/im/executions/audience', { campaignId });
    expect(run.status).toBe(202);
    await page.goto(`${herald.url}/console#/executions/${run.body.executionId}`);

    // Fanned out, nothing dispatched yet: every consenting member remains, the others are excluded.
    await fact(page, 'run-status').filter({ hasText: 'Succeeded' }).waitFor(WAIT);
    await fact(page, 'run-remaining')
      .filter({ hasText: String(CONSENTING) })
      .waitFor(WAIT);
    expect(await fact(page, 'run-sent').textContent()).toBe('0');
    expect(await fact(page, 'run-excluded').textContent()).toBe(String(REFUSING));
    const reasons = page.getByRole('list', { name: 'Excluded by reason' });
    expect(await reasons.getByRole('listitem').allTextContents()).toEqual([`no-consent: ${REFUSING}`]);
    expect(await page.getByRole('status').textContent()).toBe('The run is in progress…');
    expect(await fact(page, 'run-delivery').textContent()).toBe('InProgress');

    // One job sent: its recipients count as sent, the rest still remain (the page reads it again).
    const deps = dispatchRoot(herald.config, herald.clients);
    const first = await nextJob();
    if (!first) throw new Error('the run queued no dispatch job');
    await dispatchJob(deps, first);
    let sent = first.recipients.length;
    expect(sent).toBeLessThan(CONSENTING);
    await fact(page, 'run-sent')
      .filter({ hasText: new RegExp(`^${sent}$`) })
      .waitFor(WAIT);
    expect(await fact(page, 'run-remaining').textContent()).toBe(String(CONSENTING - sent));
    expect(await page.getByRole('status').textContent()).toBe('The run is in progress…');

    // The other jobs: nothing remains and the run has finished.
    while (sent < CONSENTING) {
      const job = await nextJob();
      if (!job) continue;
      await dispatchJob(deps, job);
      sent += job.recipients.length;
    }
    await page.getByText('The run has finished.').waitFor(WAIT);
    expect(await fact(page, 'run-sent').textContent()).toBe(String(CONSENTING));
    expect(await fact(page, 'run-remaining').textContent()).toBe('0');
    expect(await reasons.getByRole('listitem').allTextContents()).toEqual([`no-consent: ${REFUSING}`]);
  }, 120_000);
});
