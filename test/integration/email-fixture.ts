import { randomUUID } from 'node:crypto';
import type { OutgoingMessage as OutgoingEmail } from '../../shared/domain/channel.ts';

/** An email as dispatch hands it to a provider: UTF-8 everywhere, an emoji subject. */
export function testEmail(extra: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    sandbox: 'prod',
    executionId: randomUUID(),
    messageId: randomUUID(),
    channel: 'email',
    campaignType: 'transactional',
    to: 'ada@example.org',
    content: {
      subject: '🎉 Flash sale',
      text: 'Grüße, Ada — 20 % off today ✓',
      html: '<p>Grüße, <b>Ada</b> — 20 % off today ✓</p>',
    },
    ...extra,
  };
}
