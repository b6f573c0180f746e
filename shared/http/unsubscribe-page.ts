/** The small HTML pages of `/u/{token}`: no script, no external resource, escaped text only. */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const CHANNEL_WORDS: Record<string, string> = {
  email: 'marketing email',
  sms: 'marketing text messages',
  push: 'marketing notifications',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** GET: asks to confirm (a link scanner's GET changes nothing); the button POSTs back here. */
export function confirmPage(channel: string): string {
  const what = CHANNEL_WORDS[channel] ?? 'marketing messages';
  return page(
    'Unsubscribe',
    `<p>Stop receiving ${escapeHtml(what)}? Messages you asked for, such as receipts and password resets, still arrive.</p>
<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">Unsubscribe</button></form>`,
  );
}

export function donePage(channel: string): string {
  const what = CHANNEL_WORDS[channel] ?? 'marketing messages';
  return page('You are unsubscribed', `<p>You will no longer receive ${escapeHtml(what)}.</p>`);
}
