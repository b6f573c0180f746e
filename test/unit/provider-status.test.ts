import { describe, expect, it } from 'vitest';
import { providerEventDecision, providerEventKey } from '../../shared/domain/provider-status.ts';
import {
  HERALD_TAGS,
  heraldTags,
  mapSesEvent,
  type ProviderEventStatus,
  type ProviderStatusEvent,
} from '../../shared/domain/ses-events.ts';
import type { MessageStatus, StatusChange } from '../../shared/schemas/execution.ts';

const now = new Date('2030-01-01T00:00:00.000Z');
const sentAt = '2029-12-31T23:59:00.000Z';

/** A message as stored: its status, with a history that ends in it (and `sent` before, unless told). */
function message(status: MessageStatus, history?: StatusChange[]) {
  return {
    status,
    history: history ?? [
      { status: 'queued' as const, at: sentAt },
      ...(status === 'queued' ? [] : [{ status: 'sent' as const, at: sentAt }]),
      ...(status === 'queued' || status === 'sent' ? [] : [{ status, at: sentAt }]),
    ],
  };
}

const event = (status: ProviderEventStatus, at?: string) => ({
  status,
  code: `ses-${status}`,
  reason: `SES said ${status}`,
  ...(at ? { at } : {}),
});

const decide = (current: MessageStatus, incoming: ProviderEventStatus) =>
  providerEventDecision(message(current), event(incoming, '2030-01-01T00:01:00Z'), now).kind;

describe('the order rules of provider events', () => {
  it('waits while the message is still queued (the event raced dispatch’s own write)', () => {
    for (const incoming of ['sent', 'delay', 'delivered', 'bounce', 'complaint', 'error'] as const)
      expect(decide('queued', incoming), incoming).toBe('too-early');
  });

  it('drops events for a message Herald never sent (excluded)', () => {
    expect(providerEventDecision(message('exclude'), event('delivered'), now)).toEqual({
      kind: 'ignore',
      reason: 'not-sent',
    });
  });

  it('never lets a later-arriving Send overwrite anything Herald or the provider recorded', () => {
    for (const current of ['sent', 'delivered', 'bounce', 'complaint', 'error'] as const)
      expect(decide(current, 'sent'), current).toBe('ignore');
    expect(providerEventDecision(message('sent'), event('sent'), now)).toEqual({
      kind: 'ignore',
      reason: 'repeat',
    });
    expect(providerEventDecision(message('delivered'), event('sent'), now)).toEqual({
      kind: 'ignore',
      reason: 'superseded',
    });
  });

  it('takes a Send for a message Herald delayed itself (a try that timed out but went)', () => {
    const delayed = message('delay', [
      { status: 'queued', at: sentAt },
      { status: 'delay', at: sentAt, code: 'ses-TimeoutError' },
    ]);
    expect(providerEventDecision(delayed, event('sent'), now).kind).toBe('apply');
    // A delay after sent is the provider's own: its Send is a repeat.
    expect(decide('delay', 'sent')).toBe('ignore');
  });

  it('lets Delivery follow sent, a delay, or an error Herald recorded without knowing', () => {
    expect(decide('sent', 'delivered')).toBe('apply');
    expect(decide('delay', 'delivered')).toBe('apply');
    expect(decide('error', 'delivered')).toBe('apply');
    expect(decide('delivered', 'delivered')).toBe('ignore');
    expect(decide('bounce', 'delivered')).toBe('ignore');
    expect(decide('complaint', 'delivered')).toBe('ignore');
  });

  it('never overwrites delivered or a final status (bounce, complaint, error) with sent or delay', () => {
    for (const current of ['delivered', 'bounce', 'complaint', 'error'] as const) {
      expect(decide(current, 'sent'), current).toBe('ignore');
      expect(decide(current, 'delay'), current).toBe('ignore');
    }
    expect(decide('sent', 'delay')).toBe('apply');
    expect(decide('delay', 'delay')).toBe('apply');
  });

  it('takes a bounce or complaint after delivered (late bounces, spam reports), not after each other', () => {
    expect(decide('delivered', 'bounce')).toBe('apply');
    expect(decide('delivered', 'complaint')).toBe('apply');
    expect(decide('sent', 'bounce')).toBe('apply');
    expect(decide('delay', 'complaint')).toBe('apply');
    expect(decide('bounce', 'complaint')).toBe('ignore');
    expect(decide('complaint', 'bounce')).toBe('ignore');
    expect(decide('bounce', 'bounce')).toBe('ignore');
  });

  it('takes a provider error (reject, rendering failure) only before any outcome', () => {
    expect(decide('sent', 'error')).toBe('apply');
    expect(decide('delay', 'error')).toBe('apply');
    for (const current of ['delivered', 'bounce', 'complaint', 'error'] as const)
      expect(decide(current, 'error'), current).toBe('ignore');
  });

  it('appends the provider’s code, reason and time, normalised to ISO 8601, else now', () => {
    expect(providerEventDecision(message('sent'), event('delivered', '2030-01-01T00:01:00Z'), now)).toEqual({
      kind: 'apply',
      change: {
        status: 'delivered',
        at: '2030-01-01T00:01:00.000Z',
        code: 'ses-delivered',
        reason: 'SES said delivered',
      },
    });
    const unreadable = providerEventDecision(message('sent'), event('delivered', 'yesterday'), now);
    expect(unreadable.kind === 'apply' && unreadable.change.at).toBe(now.toISOString());
    const missing = providerEventDecision(message('sent'), { status: 'bounce', code: 'ses-bounce' }, now);
    expect(missing).toEqual({
      kind: 'apply',
      change: { status: 'bounce', at: now.toISOString(), code: 'ses-bounce' },
    });
  });
});

describe('provider event keys', () => {
  const base: ProviderStatusEvent = {
    kind: 'status',
    message: { sandbox: 'prod', executionId: 'e', messageId: 'm' },
    providerMessageId: '0100018c-ses',
    status: 'bounce',
    code: 'ses-bounce-permanent-general',
    suppress: true,
    addresses: ['b@example.com', 'a@example.com'],
    at: '2030-01-01T00:01:00.000Z',
    provider: { feedbackId: 'feedback-1' },
  };

  it('is the same for the same event, whatever the envelope or the recipients’ order', () => {
    const key = providerEventKey(base);
    expect(key).toMatch(/^p-[A-Za-z0-9_-]{22}$/);
    expect(providerEventKey({ ...base, addresses: ['a@example.com', 'b@example.com'] })).toBe(key);
    const reworded: ProviderStatusEvent = { ...base, reason: 'other words', suppress: false };
    expect(providerEventKey(reworded)).toBe(key);
  });

  it('differs when anything identifying the event differs', () => {
    const key = providerEventKey(base);
    expect(providerEventKey({ ...base, providerMessageId: 'other' })).not.toBe(key);
    expect(providerEventKey({ ...base, status: 'delay' })).not.toBe(key);
    expect(providerEventKey({ ...base, code: 'ses-bounce-transient-general' })).not.toBe(key);
    expect(providerEventKey({ ...base, at: '2030-01-01T00:02:00.000Z' })).not.toBe(key);
    expect(providerEventKey({ ...base, provider: { feedbackId: 'feedback-2' } })).not.toBe(key);
    expect(providerEventKey({ ...base, addresses: ['a@example.com'] })).not.toBe(key);
  });
});

describe('the herald-shard tag', () => {
  const ref = { sandbox: 'prod', executionId: 'e-1', messageId: 'm-1' };
  const delivery = (tags: { Name: string; Value: string }[]) =>
    mapSesEvent({
      eventType: 'Delivery',
      mail: {
        messageId: 'ses-1',
        destination: ['a@example.com'],
        tags: Object.fromEntries(tags.map((tag) => [tag.Name, [tag.Value]])),
      },
      delivery: { recipients: ['a@example.com'] },
    });

  it('is sent for audience messages and read back', () => {
    const tags = heraldTags({ ...ref, shard: 7 });
    expect(tags).toContainEqual({ Name: HERALD_TAGS.shard, Value: '7' });
    expect(delivery(tags)).toMatchObject({ kind: 'status', message: { ...ref, shard: 7 } });
  });

  it('is absent for unitary messages, and a value Herald cannot have written is left out', () => {
    expect(heraldTags(ref).map((tag) => tag.Name)).not.toContain(HERALD_TAGS.shard);
    const unitary = delivery(heraldTags(ref));
    expect(unitary.kind === 'status' && unitary.message).toEqual(ref);
    const odd = delivery([...heraldTags(ref), { Name: HERALD_TAGS.shard, Value: '07x' }]);
    expect(odd.kind === 'status' && odd.message).toEqual(ref);
  });
});
