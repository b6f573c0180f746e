import { describe, expect, it } from 'vitest';
import {
  activate,
  applyDueTransitions,
  applyPatch,
  archive,
  assertDeletable,
  type CampaignRecord,
  definitionFromCreate,
  definitionIssues,
  duplicate,
  editTarget,
  stop,
} from '../../shared/domain/campaign.ts';
import { CampaignStateError, ValidationError } from '../../shared/domain/errors.ts';
import type { CampaignDefinition } from '../../shared/schemas/campaign.ts';

const now = new Date('2030-01-01T12:00:00Z');
const known = { namespaceExists: true };
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
    expect(paths({ ...email, channel: 'push', content: { body: 'b', data: { k: '{{bad' } } })).toEqual([
      'content.title',
      'content.data.k',
    ]);
  });

  it('name unknown namespaces and a start after the end', () => {
    expect(paths(email, { namespaceExists: false })).toEqual(['identityNamespace']);
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
