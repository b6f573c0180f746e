import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from '../integration/harness.ts';
import { launchChromium, signIn } from './browser.ts';

/**
 * The console's quality bars that the flow tests do not reach: keyboard use (sign in, the editor's
 * tabs, the Select audience dialog — opened, closed with Escape, chosen from — without a mouse)
 * and a phone-sized viewport (390×844: no screen is wider than the window, the navigation and the
 * editor's controls stay on screen). Debian's Chromium through playwright-core, as in the others.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let browser: Browser;
let admin: { sandbox: string; api: Client };

beforeAll(async () => {
  herald = await startTestHerald();
  admin = await sandboxWithKey(herald, ['admin']);
  const audience = await admin.api.post<{ id: string }>('/audiences', { name: 'Regulars' });
  expect(audience.status).toBe(201);
  await admin.api.put('/profiles', {
    identities: [{ namespace: 'email', id: 'ann@example.com' }],
    audiences: [audience.body.id],
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

/** The page-side code is written as strings: this project's TypeScript has no DOM library. */
const isFocused = (locator: Locator) =>
  locator.evaluate(
    (element) => element === (globalThis as unknown as { document: Focus }).document.activeElement,
  );
interface Focus {
  readonly activeElement: unknown;
}

/**
 * In the page: how much wider than the window the document is, and the outermost elements whose
 * right edge is past it (what a scrolling box — a wide table's own scrollbar — clips is left out).
 */
const OVERFLOW = `(() => {
  const width = document.documentElement.clientWidth;
  const clipped = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement)
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    return false;
  };
  const out = [...document.querySelectorAll('body *')].filter(
    (e) => e.getBoundingClientRect().right > width + 0.5 && !clipped(e),
  );
  const outermost = out.filter((e) => !out.some((o) => o !== e && o.contains(e)));
  return {
    by: document.documentElement.scrollWidth - width,
    elements: outermost.slice(0, 3).map((e) => e.tagName.toLowerCase() + '.' + e.className),
  };
})()`;

/** Presses Tab (or Shift+Tab) until `target` has the focus; fails after `limit` presses. */
async function tabTo(page: Page, target: Locator, { back = false, limit = 60 } = {}) {
  for (let i = 0; i < limit; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

describe('the console by keyboard', () => {
  it('signs in, builds a campaign through its tabs and picks an audience without a mouse', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${herald.url}/console`);
    await tabTo(page, page.getByLabel('API key'));
    await page.keyboard.type(admin.api.key);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();

    await tabTo(page, page.getByRole('button', { name: 'New campaign' }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByLabel('Name'));
    await page.keyboard.type('Keyboard sale');
    const category = page.getByLabel('Category');
    await tabTo(page, category);
    await page.keyboard.type('m'); // a focused select's type-ahead: the first option starting with m
    expect(await category.inputValue()).toBe('marketing');

    // The tab list is one Tab stop; the arrow keys move between its tabs (the WAI-ARIA pattern).
    const properties = page.getByRole('tab', { name: 'Properties' });
    await tabTo(page, properties, { back: true });
    await page.keyboard.press('ArrowRight');
    const audienceTab = page.getByRole('tab', { name: 'Audience' });
    expect(await audienceTab.getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => isFocused(audienceTab)).toBe(true);

    const select = page.getByRole('button', { name: 'Select audience' });
    await tabTo(page, select);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Select audience' });
    await dialog.getByRole('button', { name: 'Choose Regulars' }).waitFor();
    await expect.poll(() => isFocused(dialog.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The focus comes back as the dialog's effect is cleaned up, just after its element goes.
    await expect.poll(() => isFocused(select)).toBe(true);

    await page.keyboard.press('Enter');
    const choose = dialog.getByRole('button', { name: 'Choose Regulars' });
    await choose.waitFor();
    await tabTo(page, choose, { back: true, limit: 5 });
    await page.keyboard.press('Enter');
    await page.getByTestId('selected-audience').filter({ hasText: 'Regulars (1 members)' }).waitFor();
    await context.close();
  });
});

describe('the console on a phone-sized viewport (390×844)', () => {
  let page: Page;

  /** How much wider than the window the page is (0: it fits), and the outermost elements that stick out. */
  const overflow = () => page.evaluate<{ by: number; elements: string[] }>(OVERFLOW);

  /** Requests of the page not yet answered. */
  let inFlight = 0;
  /** Waits until the screen's effects have run and every request they made has been answered and drawn. */
  const settled = async () => {
    const frame = () =>
      page.evaluate('new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))');
    await frame();
    while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    await frame();
  };

  beforeAll(async () => {
    page = await signIn(browser, herald.url, admin.api.key);
    page.on('request', () => inFlight++);
    page.on('requestfinished', () => inFlight--);
    page.on('requestfailed', () => inFlight--);
    await page.setViewportSize({ width: 390, height: 844 });
  });

  afterAll(async () => {
    await page?.context().close();
  });

  it('fits every screen of the navigation into the window', async () => {
    const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    const names = await links.allTextContents();
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
      await link.scrollIntoViewIfNeeded();
      expect(await link.isVisible()).toBe(true);
      await link.click();
      await page.getByRole('main').getByRole('heading').first().waitFor();
      await settled(); // the screen's lists have come in and been drawn
      expect({ screen: name, overflow: await overflow() }).toEqual({
        screen: name,
        overflow: { by: 0, elements: [] },
      });
    }
  });

  it("keeps the campaign editor's tabs and actions on screen", async () => {
    await page.goto(`${herald.url}/console#/campaigns/new`);
    const tabs = page.getByRole('tab');
    await tabs.first().waitFor();
    for (const t of await tabs.all()) {
      const box = await t.boundingBox();
      expect(box).not.toBeNull();
      if (box) expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await page.getByRole('tab', { name: 'Audience' }).click();
    await settled();
    const save = page.getByRole('button', { name: 'Save' });
    await save.scrollIntoViewIfNeeded();
    const box = await save.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    expect(await overflow()).toEqual({ by: 0, elements: [] });
  });
});
