import { describe, expect, it } from 'vitest';
import {
  activate,
  applyDueTransitions,
  applyPatch,
  archive,
  assertDeletable,
  type CampaignRecord,
  type DefinitionContext,
  definitionFromCreate,
  definitionIssues,
  duplicate,
  editTarget,
  nextTransition,
  stop,
} from '../../shared/domain/campaign.ts';
import {
  CampaignNotTriggerableError,
  CampaignStateError,
  ValidationError,
} from '../../shared/domain/errors.ts';
import { assertAudienceTriggerable } from '../../shared/domain/execution.ts';
import type { CampaignDefinition } from '../../shared/schemas/campaign.ts';

const now = new Date('2030-01-01T12:00:00Z');
const known: DefinitionContext = { namespaceExists: true, audienceExists: true };
const email: CampaignDefinition = definitionFromCreate({
  name: 'Reset',
  category: 'transactional',
  channel: 'email',
  identityNamespace: 'email',
  content: { subject: 'Hi {{profile.name}}', html: '<p>{{context.link}}</p>' },
});
const record = (overrides: Partial<CampaignRecord> = {}): CampaignRecord => ({
  ...email,
  id: 'c1',
  sandbox: 'sb',
  status: 'draft',
  version: 0,
  revision: 0,
  createdAt: now.toISOString(),
  createdBy: 'k',
  modifiedAt: now.toISOString(),
  modifiedBy: 'k',
  ...overrides,
});
const paths = (definition: CampaignDefinition, context = known) =>
  definitionIssues(definition, context).map((i) => i.path);

describe('campaign definition rules', () => {
  it('accept a valid transactional email campaign', () => {
    expect(paths(email)).toEqual([]);
  });

  it('keep options to their category', () => {
    expect(paths({ ...email, category: 'marketing', createNewProfiles: true, highThroughput: true })).toEqual(
      expect.arrayContaining(['createNewProfiles', 'highThroughput']),
    );
    expect(paths({ ...email, audience: { id: 'a' }, throttleRatePerSec: 10 })).toEqual([
      'audience',
      'throttleRatePerSec',
    ]);
  });

  it('forbid profile creation and profile variables in high-throughput campaigns', () => {
    expect(paths({ ...email, highThroughput: true, createNewProfiles: true })).toEqual([
      'createNewProfiles',
      'content.subject',
    ]);
    expect(
      paths({ ...email, highThroughput: true, content: { subject: '{{context.a}}', text: 'x' } }),
    ).toEqual([]);
  });

  it('check content against the channel', () => {
    expect(paths({ ...email, channel: 'sms' })).toEqual(['content.subject', 'content.html', 'content.body']);
    expect(paths({ ...email, content: { subject: 's' } })).toEqual(['content.html|text']);
    expect(
      paths({
        ...email,
        channel: 'push',
        appId: 'com.example.app',
        content: { body: 'b', data: { k: '{{bad' } },
      }),
    ).toEqual(['content.title', 'content.data.k']);
  });

  it('name unknown namespaces and a start after the end', () => {
    expect(paths(email, { namespaceExists: false, audienceExists: true })).toEqual(['identityNamespace']);
    expect(
      paths({ ...email, schedule: { startDate: '2030-02-01T00:00:00Z', endDate: '2030-01-01T00:00:00Z' } }),
    ).toEqual(['schedule.endDate']);
  });

  it('apply a PATCH: null clears, absent keeps', () => {
    const patched = applyPatch(
      { ...email, description: 'd', throttleRatePerSec: 5 },
      { description: null, name: 'New' },
    );
    expect(patched).toMatchObject({ name: 'New', throttleRatePerSec: 5 });
    expect(patched).not.toHaveProperty('description');
  });
});

describe('campaign lifecycle', () => {
  it('activates a draft to live, or scheduled when it starts later', () => {
    expect(activate(record(), known, now, 'k')).toMatchObject({
      status: 'live',
      version: 1,
      activatedAt: now.toISOString(),
    });
    const later = record({ schedule: { startDate: '2030-01-02T00:00:00Z' } });
    expect(activate(later, known, now, 'k').status).toBe('scheduled');
  });

  it('swaps in the draft version of a live campaign, dropping members the draft cleared', () => {
    const live = record({
      status: 'live',
      version: 1,
      description: 'old',
      draft: { ...email, name: 'Reset v2' },
    });
    const next = activate(live, known, now, 'k');
    expect(next).toMatchObject({ status: 'live', version: 2, name: 'Reset v2' });
    expect(next).not.toHaveProperty('description');
    expect(next).not.toHaveProperty('draft');
  });

  it('refuses to activate an SMS campaign whose fixed text alone needs more than smsMaxParts', () => {
    const sms = (body: string, smsMaxParts = 1) =>
      record({ channel: 'sms', identityNamespace: 'phone', content: { body }, smsMaxParts });
    // 150 GSM-7 characters and a variable: one part unless the value is long (checked at send).
    expect(activate(sms(`${'a'.repeat(150)}{{context.code}}`), known, now, 'k').status).toBe('live');
    // 161 GSM-7 characters around the variable: two parts whatever the value.
    const tooLong = sms(`${'a'.repeat(100)}{{context.code}}${'a'.repeat(61)}`);
    const refusal = (() => {
      try {
        activate(tooLong, known, now, 'k');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ValidationError);
    expect(refusal).toMatchObject({
      fields: [
        {
          path: 'content.body',
          message: "needs 2 SMS parts (GSM-7) without its variables; the campaign's smsMaxParts is 1",
        },
      ],
    });
    // One emoji makes it UCS-2: 71 code units need two parts, 70 fit in one.
    expect(() => activate(sms(`😀${'a'.repeat(69)}`), known, now, 'k')).toThrow(ValidationError);
    expect(activate(sms(`😀${'a'.repeat(68)}`), known, now, 'k').status).toBe('live');
    expect(activate(sms(`😀${'a'.repeat(69)}`, 2), known, now, 'k').status).toBe('live');
  });

  it('refuses what the lifecycle forbids', () => {
    expect(() => activate(record({ status: 'stopped' }), known, now, 'k')).toThrow(CampaignStateError);
    expect(() => activate(record({ status: 'live', version: 1 }), known, now, 'k')).toThrow(
      'no pending edits',
    );
    expect(() => activate(record({ category: 'marketing' }), known, now, 'k')).toThrow(ValidationError);
    expect(() =>
      activate(record({ schedule: { endDate: '2029-12-31T00:00:00Z' } }), known, now, 'k'),
    ).toThrow(ValidationError);
    expect(() => stop(record(), now, 'k')).toThrow(CampaignStateError);
    expect(() => archive(record({ status: 'live' }), now, 'k')).toThrow('Stop it first');
    expect(() => assertDeletable(record({ status: 'live' }))).toThrow(CampaignStateError);
    expect(() => editTarget(record({ status: 'archived' }))).toThrow('duplicate it instead');
  });

  it('edits drafts in place and live campaigns through a draft version', () => {
    expect(editTarget(record())).toBe('campaign');
    expect(editTarget(record({ status: 'live' }))).toBe('draft');
    expect(editTarget(record({ status: 'scheduled' }))).toBe('draft');
  });

  it('duplicates as a new draft, taking the pending edits', () => {
    const copy = duplicate(record({ status: 'stopped', version: 3, draft: { ...email, name: 'Pending' } }), {
      id: 'c2',
      now,
      by: 'k2',
    });
    expect(copy).toMatchObject({
      id: 'c2',
      status: 'draft',
      version: 0,
      name: 'Pending (copy)',
      duplicatedFrom: 'c1',
      createdBy: 'k2',
    });
  });

  it('applies due transitions: start, then end, and nothing before they are due', () => {
    const scheduled = record({
      status: 'scheduled',
      schedule: { startDate: '2030-01-01T11:00:00Z', endDate: '2030-01-01T13:00:00Z' },
    });
    expect(applyDueTransitions(scheduled, now).status).toBe('live');
    expect(applyDueTransitions(scheduled, new Date('2030-01-01T14:00:00Z'))).toMatchObject({
      status: 'completed',
    });
    expect(applyDueTransitions(scheduled, new Date('2030-01-01T10:00:00Z'))).toBe(scheduled);
  });
});

const sms: CampaignDefinition = {
  ...email,
  channel: 'sms',
  identityNamespace: 'phone',
  content: { body: 'Hi' },
};
const appOf = (channel: string) => (channel === 'push' ? { appId: 'com.example.app' } : {});
const push: CampaignDefinition = {
  ...email,
  channel: 'push',
  appId: 'com.example.app',
  identityNamespace: 'ecid',
  content: { title: 'T', body: 'B', data: { deepLink: 'app://{{context.id}}' } },
};
const marketing: CampaignDefinition = {
  ...email,
  category: 'marketing',
  audience: { id: 'vip' },
  throttleRatePerSec: 100,
};
const issues = (definition: CampaignDefinition, context = known) => definitionIssues(definition, context);

describe('definitionIssues, rule by rule', () => {
  it('accepts valid sms, push and marketing definitions', () => {
    expect(issues(sms)).toEqual([]);
    expect(issues(push)).toEqual([]);
    expect(issues(marketing)).toEqual([]);
    expect(issues({ ...email, content: { subject: 's', text: 't' } })).toEqual([]);
  });

  it('refuses createNewProfiles and highThroughput on marketing campaigns', () => {
    expect(issues({ ...marketing, createNewProfiles: true })).toEqual([
      { path: 'createNewProfiles', message: 'is only allowed on transactional campaigns' },
    ]);
    const contextOnly = { subject: '{{context.s}}', text: 'x' };
    expect(issues({ ...marketing, content: contextOnly, highThroughput: true })).toEqual([
      { path: 'highThroughput', message: 'is only allowed on transactional campaigns' },
    ]);
  });

  it('lets transactional email ask for the unsubscribe link, and nothing else turn it off or on', () => {
    expect(issues({ ...email, unsubscribeLink: true })).toEqual([]);
    expect(issues({ ...email, unsubscribeLink: false })).toEqual([]);
    expect(issues({ ...marketing, unsubscribeLink: true })).toEqual([]);
    expect(paths({ ...marketing, unsubscribeLink: false })).toEqual(['unsubscribeLink']);
    expect(paths({ ...sms, unsubscribeLink: true })).toEqual(['unsubscribeLink']);
    const contextOnly = { subject: '{{context.s}}', text: 'x' };
    expect(issues({ ...email, content: contextOnly, highThroughput: true, unsubscribeLink: true })).toEqual([
      {
        path: 'unsubscribeLink',
        message: 'is not allowed on high-throughput campaigns (they read no profile to unsubscribe)',
      },
    ]);
  });

  it('refuses audience and throttle on transactional campaigns, each on its own', () => {
    expect(paths({ ...email, audience: { id: 'a' } })).toEqual(['audience']);
    expect(paths({ ...email, throttleRatePerSec: 1 })).toEqual(['throttleRatePerSec']);
  });

  it('refuses createNewProfiles together with highThroughput', () => {
    const ht = { ...email, content: { subject: '{{context.s}}', text: 'x' }, highThroughput: true };
    expect(issues({ ...ht, createNewProfiles: true })).toEqual([
      { path: 'createNewProfiles', message: 'cannot be combined with highThroughput (no profile lookup)' },
    ]);
    expect(issues({ ...ht, createNewProfiles: false })).toEqual([]);
  });

  it('names every field that uses a profile variable in a high-throughput campaign, with the variable', () => {
    const found = issues({
      ...push,
      highThroughput: true,
      content: { title: '{{context.t}}', body: '{{ profile.name }}', data: { k: '{{{profile.id}}}' } },
    });
    expect(found.map((i) => i.path)).toEqual(['content.body', 'content.data.k']);
    expect(found[0]?.message).toContain("'profile.name'");
    expect(found[1]?.message).toContain("'profile.id'");
  });

  it('allows profile variables when the campaign is not high-throughput', () => {
    expect(issues({ ...sms, content: { body: '{{profile.firstName}}' } })).toEqual([]);
  });

  it.each([
    ['email', { subject: 's', html: 'h', body: 'b', title: 't' }, ['content.body', 'content.title']],
    ['email', { subject: 's', text: 't', data: { k: 'v' } }, ['content.data']],
    ['sms', { body: 'b', subject: 's' }, ['content.subject']],
    ['sms', { body: 'b', title: 't', data: { k: 'v' } }, ['content.title', 'content.data']],
    ['push', { title: 't', body: 'b', html: 'h' }, ['content.html']],
  ] as const)('refuses %s content keys the channel does not use: %j', (channel, content, expected) => {
    expect(paths({ ...email, channel, ...appOf(channel), content })).toEqual(expected);
  });

  it.each([
    ['email', { html: 'h' }, ['content.subject']],
    ['email', { subject: 's' }, ['content.html|text']],
    ['email', {}, ['content.subject', 'content.html|text']],
    ['sms', {}, ['content.body']],
    ['push', { body: 'b' }, ['content.title']],
    ['push', { title: 't' }, ['content.body']],
    ['push', { data: { k: 'v' } }, ['content.title', 'content.body']],
  ] as const)('requires the %s content: %j', (channel, content, expected) => {
    expect(paths({ ...email, channel, ...appOf(channel), content })).toEqual(expected);
  });

  it('requires an app on push campaigns, one of the configuration’s, and allows it nowhere else', () => {
    const { appId: _appId, ...withoutApp } = push;
    expect(issues(withoutApp)).toEqual([
      { path: 'appId', message: 'is required on push campaigns: the app whose devices get them' },
    ]);
    expect(
      issues(
        { ...push, channelConfigurationId: 'c' },
        {
          namespaceExists: true,
          audienceExists: true,
          channelConfiguration: { channel: 'push', appIds: ['com.other.app', 'com.third.app'] },
        },
      ),
    ).toEqual([
      {
        path: 'appId',
        message:
          "is not an app of the campaign's channel configuration (it has com.other.app, com.third.app)",
      },
    ]);
    expect(paths({ ...sms, appId: 'com.example.app' })).toEqual(['appId']);
    expect(paths({ ...email, smsMaxParts: 2 })).toEqual(['smsMaxParts']);
  });

  it('says which content the channel needs', () => {
    expect(issues({ ...email, content: { subject: 's' } })).toEqual([
      { path: 'content.html|text', message: 'the email channel needs html or text' },
    ]);
  });

  it('reports template syntax errors with the field path and the parser message', () => {
    const found = issues({
      ...email,
      content: { subject: 'Hi {{user.name}}', html: '<p>{{profile.a</p>', text: 'ok {{context.x}}' },
    });
    expect(found.map((i) => i.path)).toEqual(['content.subject', 'content.html']);
    expect(found[0]?.message).toContain('only profile.*, context.* and unsubscribeUrl');
    expect(found[1]?.message).toContain('never closed');
  });

  it('refuses a schedule that ends at or before its start, and accepts open-ended ones', () => {
    const at = '2030-02-01T00:00:00Z';
    expect(paths({ ...email, schedule: { startDate: at, endDate: at } })).toEqual(['schedule.endDate']);
    expect(paths({ ...email, schedule: { startDate: at, endDate: '2030-02-01T00:00:01Z' } })).toEqual([]);
    expect(paths({ ...email, schedule: { startDate: at } })).toEqual([]);
    expect(paths({ ...email, schedule: { endDate: at } })).toEqual([]);
    // The same instant in another offset is still not after the start.
    expect(
      paths({
        ...email,
        schedule: { startDate: '2030-02-01T01:00:00+01:00', endDate: '2030-02-01T00:00:00Z' },
      }),
    ).toEqual(['schedule.endDate']);
  });

  it('names the unknown namespace', () => {
    expect(
      issues({ ...email, identityNamespace: 'crmId' }, { namespaceExists: false, audienceExists: true }),
    ).toEqual([
      {
        path: 'identityNamespace',
        message: "'crmId' is neither a standard namespace nor registered in this sandbox",
      },
    ]);
  });

  it('returns every broken rule at once', () => {
    expect(
      paths(
        {
          ...email,
          category: 'marketing',
          createNewProfiles: true,
          channel: 'sms',
          content: { body: '{{oops}}' },
          schedule: { startDate: '2030-02-02T00:00:00Z', endDate: '2030-02-01T00:00:00Z' },
        },
        { namespaceExists: false, audienceExists: true },
      ),
    ).toEqual(['identityNamespace', 'createNewProfiles', 'content.body', 'schedule.endDate']);
  });

  it('fills the boolean options with false on create', () => {
    expect(email).toMatchObject({ createNewProfiles: false, enableWebhooks: false, highThroughput: false });
    expect(
      definitionFromCreate({
        name: 'n',
        category: 'transactional',
        channel: 'sms',
        identityNamespace: 'phone',
        content: { body: 'b' },
        enableWebhooks: true,
      }).enableWebhooks,
    ).toBe(true);
  });
});

const fieldPaths = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields.map((f) => f.path);
    throw error;
  }
  throw new Error('no ValidationError');
};

describe('activate', () => {
  it('makes a draft live as version 1, with audit fields', () => {
    const live = activate(record({ revision: 3 }), known, now, 'k9');
    expect(live).toMatchObject({
      status: 'live',
      version: 1,
      revision: 3,
      activatedAt: now.toISOString(),
      modifiedAt: now.toISOString(),
      modifiedBy: 'k9',
      createdBy: 'k',
      name: 'Reset',
    });
    expect(live).not.toHaveProperty('draft');
  });

  it('schedules a draft whose start is later, and starts one whose start has passed or is now', () => {
    expect(
      activate(record({ schedule: { startDate: '2030-01-01T12:00:01Z' } }), known, now, 'k').status,
    ).toBe('scheduled');
    expect(activate(record({ schedule: { startDate: now.toISOString() } }), known, now, 'k').status).toBe(
      'live',
    );
    expect(
      activate(record({ schedule: { startDate: '2029-01-01T00:00:00Z' } }), known, now, 'k').status,
    ).toBe('live');
  });

  it('refuses stopped, completed and archived campaigns with a state error naming the status', () => {
    for (const status of ['stopped', 'completed', 'archived'] as const) {
      let caught: unknown;
      try {
        activate(record({ status, version: 1, draft: email }), known, now, 'k');
      } catch (error) {
        caught = error;
      }
      expect(caught, status).toBeInstanceOf(CampaignStateError);
      expect((caught as CampaignStateError).status).toBe(409);
      expect((caught as CampaignStateError).extensions).toEqual({ campaignStatus: status });
    }
    expect(() => activate(record({ status: 'stopped' }), known, now, 'k')).toThrow('duplicate it instead');
  });

  it('refuses a live or scheduled campaign without pending edits', () => {
    expect(() => activate(record({ status: 'live', version: 1 }), known, now, 'k')).toThrow(
      CampaignStateError,
    );
    expect(() => activate(record({ status: 'scheduled', version: 1 }), known, now, 'k')).toThrow(
      'no pending edits',
    );
  });

  it('swaps in the draft of a live campaign: bumps the version, keeps lifecycle facts, drops cleared fields', () => {
    const activatedBefore = '2029-12-01T00:00:00.000Z';
    const live = record({
      status: 'live',
      version: 4,
      revision: 9,
      activatedAt: activatedBefore,
      description: 'old description',
      schedule: { endDate: '2031-01-01T00:00:00Z' },
      draft: { ...email, name: 'Reset v5', content: { subject: 'New', text: 'x' } },
    });
    const next = activate(live, known, now, 'k2');
    expect(next).toMatchObject({
      id: 'c1',
      sandbox: 'sb',
      status: 'live',
      version: 5,
      revision: 9,
      name: 'Reset v5',
      content: { subject: 'New', text: 'x' },
      createdAt: now.toISOString(),
      activatedAt: now.toISOString(),
      modifiedBy: 'k2',
    });
    expect(next).not.toHaveProperty('description');
    expect(next).not.toHaveProperty('schedule');
    expect(next).not.toHaveProperty('draft');
    expect(live.draft).toBeDefined();
  });

  it('schedules a live campaign again when its draft starts later', () => {
    const live = record({
      status: 'live',
      version: 1,
      draft: { ...email, schedule: { startDate: '2030-06-01T00:00:00Z' } },
    });
    expect(activate(live, known, now, 'k')).toMatchObject({ status: 'scheduled', version: 2 });
  });

  it('checks the draft, not the live definition, when a live campaign has pending edits', () => {
    const live = record({ status: 'live', version: 1, draft: { ...email, content: { subject: 's' } } });
    expect(fieldPaths(() => activate(live, known, now, 'k'))).toEqual(['content.html|text']);
  });

  it('refuses a marketing campaign without an audience, a past end date and an unknown namespace', () => {
    expect(fieldPaths(() => activate(record({ category: 'marketing' }), known, now, 'k'))).toEqual([
      'audience',
    ]);
    expect(activate(record({ category: 'marketing', audience: { id: 'vip' } }), known, now, 'k').status).toBe(
      'live',
    );
    expect(
      fieldPaths(() => activate(record({ schedule: { endDate: now.toISOString() } }), known, now, 'k')),
    ).toEqual(['schedule.endDate']);
    expect(
      fieldPaths(() => activate(record(), { namespaceExists: false, audienceExists: true }, now, 'k')),
    ).toEqual(['identityNamespace']);
  });
});

describe('stop, archive, delete, edit', () => {
  it('stops a live or scheduled campaign and drops its pending edits', () => {
    const stopped = stop(record({ status: 'live', version: 2, draft: email }), now, 'k3');
    expect(stopped).toMatchObject({
      status: 'stopped',
      version: 2,
      stoppedAt: now.toISOString(),
      modifiedBy: 'k3',
    });
    expect(stopped).not.toHaveProperty('draft');
    expect(stop(record({ status: 'scheduled', version: 1 }), now, 'k').status).toBe('stopped');
  });

  it.each(['draft', 'stopped', 'completed', 'archived'] as const)('does not stop a %s campaign', (status) => {
    expect(() => stop(record({ status }), now, 'k')).toThrow(CampaignStateError);
  });

  it('archives only stopped or completed campaigns', () => {
    expect(archive(record({ status: 'stopped' }), now, 'k')).toMatchObject({
      status: 'archived',
      archivedAt: now.toISOString(),
    });
    expect(archive(record({ status: 'completed' }), now, 'k').status).toBe('archived');
    for (const status of ['draft', 'scheduled', 'live', 'archived'] as const) {
      expect(() => archive(record({ status }), now, 'k'), status).toThrow(CampaignStateError);
    }
  });

  it('deletes only drafts', () => {
    expect(() => assertDeletable(record())).not.toThrow();
    for (const status of ['scheduled', 'live', 'stopped', 'completed', 'archived'] as const) {
      expect(() => assertDeletable(record({ status })), status).toThrow('Only draft campaigns');
    }
  });

  it.each(['stopped', 'completed', 'archived'] as const)('does not edit a %s campaign', (status) => {
    expect(() => editTarget(record({ status }))).toThrow(CampaignStateError);
  });
});

describe('duplicate', () => {
  it('copies the active definition when there are no pending edits, without lifecycle facts', () => {
    const source = record({
      status: 'stopped',
      version: 2,
      revision: 7,
      description: 'keep me',
      activatedAt: '2029-01-01T00:00:00Z',
      stoppedAt: '2029-02-01T00:00:00Z',
    });
    const copy = duplicate(source, { id: 'c2', now, by: 'k2' });
    expect(copy).toEqual({
      ...email,
      description: 'keep me',
      name: 'Reset (copy)',
      id: 'c2',
      sandbox: 'sb',
      status: 'draft',
      version: 0,
      revision: 0,
      createdAt: now.toISOString(),
      createdBy: 'k2',
      modifiedAt: now.toISOString(),
      modifiedBy: 'k2',
      duplicatedFrom: 'c1',
    });
  });

  it('keeps the name within 256 characters', () => {
    expect(duplicate(record({ name: 'n'.repeat(256) }), { id: 'c2', now, by: 'k' }).name).toHaveLength(256);
  });
});

describe('time-driven transitions', () => {
  const window = { startDate: '2030-01-01T11:00:00Z', endDate: '2030-01-01T13:00:00Z' };

  it('names the next transition of scheduled and live campaigns only', () => {
    expect(nextTransition(record({ status: 'scheduled', schedule: window }))).toEqual({
      action: 'start',
      at: window.startDate,
    });
    expect(nextTransition(record({ status: 'live', schedule: window }))).toEqual({
      action: 'complete',
      at: window.endDate,
    });
    expect(nextTransition(record({ status: 'live' }))).toBeUndefined();
    expect(
      nextTransition(record({ status: 'live', schedule: { startDate: window.startDate } })),
    ).toBeUndefined();
    for (const status of ['draft', 'stopped', 'completed', 'archived'] as const) {
      expect(nextTransition(record({ status, schedule: window })), status).toBeUndefined();
    }
  });

  it('starts a scheduled campaign exactly at its start, by the scheduler', () => {
    const scheduled = record({ status: 'scheduled', version: 1, schedule: window });
    const started = applyDueTransitions(scheduled, new Date(window.startDate));
    expect(started).toMatchObject({ status: 'live', modifiedBy: 'scheduler', version: 1 });
    expect(started).not.toHaveProperty('completedAt');
  });

  it('goes straight to completed when both start and end have passed', () => {
    const late = new Date('2030-01-02T00:00:00Z');
    expect(applyDueTransitions(record({ status: 'scheduled', schedule: window }), late)).toMatchObject({
      status: 'completed',
      completedAt: late.toISOString(),
      modifiedAt: late.toISOString(),
      modifiedBy: 'scheduler',
    });
  });

  it('completes a live campaign whose end has passed and leaves others alone', () => {
    expect(
      applyDueTransitions(record({ status: 'live', schedule: window }), new Date(window.endDate)).status,
    ).toBe('completed');
    const open = record({ status: 'live' });
    expect(applyDueTransitions(open, new Date('2100-01-01T00:00:00Z'))).toBe(open);
    const draft = record({ schedule: window });
    expect(applyDueTransitions(draft, new Date('2100-01-01T00:00:00Z'))).toBe(draft);
  });
});

describe('applyPatch', () => {
  it('keeps members whose patch value is undefined, and replaces content as a whole', () => {
    const base: CampaignDefinition = {
      ...email,
      description: 'd',
      schedule: { startDate: '2030-01-02T00:00:00Z' },
    };
    const patched = applyPatch(base, { description: undefined, content: { subject: 'x', text: 'y' } });
    expect(patched).toEqual({ ...base, content: { subject: 'x', text: 'y' } });
  });

  it('clears several optional members with null and leaves the input untouched', () => {
    const base: CampaignDefinition = { ...marketing, schedule: { endDate: '2031-01-01T00:00:00Z' } };
    const patched = applyPatch(base, { audience: null, throttleRatePerSec: null, schedule: null });
    expect(patched).not.toHaveProperty('audience');
    expect(patched).not.toHaveProperty('throttleRatePerSec');
    expect(patched).not.toHaveProperty('schedule');
    expect(base).toMatchObject({ audience: { id: 'vip' }, throttleRatePerSec: 100 });
  });

  it('sets booleans to false (false is not "absent")', () => {
    expect(applyPatch({ ...email, enableWebhooks: true }, { enableWebhooks: false }).enableWebhooks).toBe(
      false,
    );
  });

  it('keeps the copy suffix on a 256-character name and reports a marketing profile-creation issue once', () => {
    const long = record({ name: 'n'.repeat(256) });
    const copy = duplicate(long, { id: 'c9', now, by: 'k' });
    expect(copy.name).toHaveLength(256);
    expect(copy.name.endsWith(' (copy)')).toBe(true);
    const issues = definitionIssues(
      { ...email, category: 'marketing', createNewProfiles: true, highThroughput: true },
      known,
    );
    expect(issues.filter((i) => i.path === 'createNewProfiles')).toHaveLength(1);
  });
});

describe('which campaigns an audience call may send', () => {
  const marketing = record({
    category: 'marketing',
    audience: { id: 'everyone' },
    status: 'live',
    schedule: { startDate: '2030-01-01T00:00:00Z', endDate: '2030-01-02T00:00:00Z' },
  });
  const reason = (campaign: CampaignRecord, at = now) => {
    try {
      assertAudienceTriggerable(campaign, at);
      return 'sendable';
    } catch (error) {
      if (error instanceof CampaignNotTriggerableError) return error.reason;
      throw error;
    }
  };

  it('a live marketing campaign inside its window', () => {
    expect(reason(marketing)).toBe('sendable');
  });

  it('not a transactional one, a draft, a stopped one or a scheduled one', () => {
    expect(reason({ ...marketing, category: 'transactional' })).toBe('not-marketing');
    expect(reason({ ...marketing, status: 'draft' })).toBe('not-live');
    expect(reason({ ...marketing, status: 'stopped' })).toBe('not-live');
    expect(reason({ ...marketing, status: 'scheduled' })).toBe('outside-schedule');
  });

  it('not before its start or from its end on, even while the scheduler has not caught up', () => {
    expect(reason(marketing, new Date('2029-12-31T23:59:59Z'))).toBe('outside-schedule');
    expect(reason(marketing, new Date('2030-01-02T00:00:00Z'))).toBe('outside-schedule');
    expect(reason(marketing, new Date('2030-01-01T23:59:59Z'))).toBe('sendable');
  });
});
