import { describe, expect, it } from 'vitest';
import type { CampaignRecord } from '../../shared/domain/campaign.ts';
import {
  CampaignStateError,
  ConcurrentUpdateError,
  NotFoundError,
  ValidationError,
} from '../../shared/domain/errors.ts';
import type { CreateCampaignInput } from '../../shared/schemas/campaign.ts';
import {
  activateCampaign,
  archiveCampaign,
  type CampaignDeps,
  createCampaign,
  deleteCampaign,
  duplicateCampaign,
  getCampaign,
  listCampaigns,
  patchCampaign,
  runDueCampaignTransitions,
  stopCampaign,
} from '../../shared/use-cases/campaigns.ts';
import { FakeCampaignStore, FakeNamespaceStore, fixedClock } from './fakes.ts';

const actor = { sandbox: 'prod', keyId: 'key-1' };
const input: CreateCampaignInput = {
  name: 'Password reset',
  description: 'Sent when a user asks for a new password',
  category: 'transactional',
  channel: 'email',
  identityNamespace: 'email',
  content: { subject: 'Reset for {{profile.firstName}}', text: 'Go to {{context.link}}' },
};

const EMAIL_CONFIGURATION = '01900000-0000-7000-8000-000000000001';

function setup(start = '2030-01-01T12:00:00.000Z') {
  const campaigns = new FakeCampaignStore();
  const namespaces = new FakeNamespaceStore([
    { sandbox: 'prod', code: 'crmId', createdAt: '2030-01-01T00:00:00Z' },
  ]);
  const clock = fixedClock(start);
  // One audience exists in sandbox prod: `aud-1`.
  const audiences = {
    get: async (sandbox: string, id: string) =>
      sandbox === 'prod' && id === 'aud-1'
        ? { sandbox, id, name: 'Newsletter', createdAt: start, modifiedAt: start, revision: 0 }
        : undefined,
  };
  // One email channel configuration exists in sandbox prod: `conf-email`.
  const channelConfigurations = {
    get: async (sandbox: string, id: string) =>
      sandbox === 'prod' && id === EMAIL_CONFIGURATION
        ? {
            sandbox,
            id,
            name: 'relay',
            channel: 'email' as const,
            provider: { type: 'sandbox' as const },
            isDefault: false,
            createdAt: start,
            modifiedAt: start,
            revision: 0,
          }
        : undefined,
  };
  const deps: CampaignDeps = { campaigns, namespaces, audiences, channelConfigurations, clock };
  const stored = (id: string): CampaignRecord => {
    const record = campaigns.records.get(`prod\u0000${id}`);
    if (!record) throw new Error(`campaign ${id} is not stored`);
    return record;
  };
  return { deps, campaigns, clock, stored };
}

describe('campaign use cases', () => {
  it("names a channel configuration of the sandbox and of the campaign's channel, or refuses naming the field", async () => {
    const { deps } = setup();
    const email = await createCampaign(deps, actor, {
      ...input,
      channelConfigurationId: EMAIL_CONFIGURATION,
    });
    expect(email.channelConfigurationId).toBe(EMAIL_CONFIGURATION);
    await expect(
      createCampaign(deps, actor, {
        ...input,
        channelConfigurationId: '01900000-0000-7000-8000-000000000002',
      }),
    ).rejects.toMatchObject({
      fields: [
        { path: 'body.channelConfigurationId', message: 'is not a channel configuration of this sandbox' },
      ],
    });
    await expect(
      createCampaign(
        deps,
        { ...actor, sandbox: 'dev' },
        { ...input, channelConfigurationId: EMAIL_CONFIGURATION },
      ),
    ).rejects.toMatchObject({ fields: [{ path: 'body.channelConfigurationId' }] });
    await expect(
      patchCampaign(deps, actor, email.id, { channel: 'sms', content: { body: 'hi' } }),
    ).rejects.toMatchObject({
      fields: [
        {
          path: 'body.channelConfigurationId',
          message: 'is a configuration of the email channel; the campaign sends sms',
        },
      ],
    });
    const cleared = await patchCampaign(deps, actor, email.id, { channelConfigurationId: null });
    expect(cleared).not.toHaveProperty('channelConfigurationId');
  });

  it('creates a draft with defaults, audit fields and a time-ordered id, never showing the revision', async () => {
    const { deps, stored } = setup();
    const view = await createCampaign(deps, actor, input);
    expect(view).toMatchObject({
      ...input,
      sandbox: 'prod',
      status: 'draft',
      version: 0,
      createNewProfiles: false,
      enableWebhooks: false,
      highThroughput: false,
      createdAt: '2030-01-01T12:00:00.000Z',
      createdBy: 'key-1',
      modifiedBy: 'key-1',
    });
    expect(view.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(view).not.toHaveProperty('revision');
    expect(stored(view.id).revision).toBe(0);
  });

  it('refuses an invalid definition or an unregistered namespace and stores nothing', async () => {
    const { deps, campaigns } = setup();
    await expect(
      createCampaign(deps, actor, { ...input, identityNamespace: 'loyaltyId' }),
    ).rejects.toMatchObject({ fields: [expect.objectContaining({ path: 'body.identityNamespace' })] });
    await expect(createCampaign(deps, actor, { ...input, content: { subject: 's' } })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(campaigns.records.size).toBe(0);
    await expect(
      createCampaign(deps, { ...actor, sandbox: 'dev' }, { ...input, identityNamespace: 'crmId' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      createCampaign(deps, actor, { ...input, identityNamespace: 'crmId' }),
    ).resolves.toMatchObject({
      identityNamespace: 'crmId',
    });
  });

  it('edits a draft in place, bumping the revision and dropping cleared members', async () => {
    const { deps, clock, stored } = setup();
    const { id } = await createCampaign(deps, actor, input);
    clock.advance(60_000);
    const view = await patchCampaign(deps, { ...actor, keyId: 'key-2' }, id, {
      name: 'Reset v2',
      description: null,
    });
    expect(view).toMatchObject({
      name: 'Reset v2',
      status: 'draft',
      modifiedAt: '2030-01-01T12:01:00.000Z',
      modifiedBy: 'key-2',
      createdBy: 'key-1',
    });
    expect(view).not.toHaveProperty('description');
    expect(view).not.toHaveProperty('draft');
    expect(stored(id)).toMatchObject({ name: 'Reset v2', revision: 1 });
    expect(stored(id)).not.toHaveProperty('description');
  });

  it('refuses a patch that breaks a rule and keeps the stored campaign', async () => {
    const { deps, stored } = setup();
    const { id } = await createCampaign(deps, actor, input);
    await expect(patchCampaign(deps, actor, id, { channel: 'sms' })).rejects.toBeInstanceOf(ValidationError);
    expect(stored(id)).toMatchObject({ channel: 'email', revision: 0 });
  });

  it('edits a live campaign through a draft version that activation swaps in', async () => {
    const { deps, stored } = setup();
    const { id } = await createCampaign(deps, actor, input);
    const live = await activateCampaign(deps, actor, id);
    expect(live).toMatchObject({ status: 'live', version: 1, activatedAt: '2030-01-01T12:00:00.000Z' });

    const edited = await patchCampaign(deps, actor, id, { name: 'Reset v2', description: null });
    expect(edited).toMatchObject({
      status: 'live',
      version: 1,
      name: 'Password reset',
      description: input.description,
      content: input.content,
    });
    expect(edited.draft).toMatchObject({ name: 'Reset v2' });
    expect(edited.draft).not.toHaveProperty('description');

    // A second edit builds on the pending draft, not on the live definition.
    const again = await patchCampaign(deps, actor, id, { content: { subject: 'New', text: 'Body' } });
    expect(again.draft).toMatchObject({ name: 'Reset v2', content: { subject: 'New', text: 'Body' } });
    expect(again).toMatchObject({ name: 'Password reset', content: input.content });
    expect(stored(id).revision).toBe(3);

    const swapped = await activateCampaign(deps, actor, id);
    expect(swapped).toMatchObject({
      status: 'live',
      version: 2,
      name: 'Reset v2',
      content: { subject: 'New', text: 'Body' },
    });
    expect(swapped).not.toHaveProperty('draft');
    expect(swapped).not.toHaveProperty('description');
    expect(await getCampaign(deps, 'prod', id)).toEqual(swapped);
    expect(stored(id).revision).toBe(4);
  });

  it('refuses to activate a live campaign without pending edits', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(deps, actor, input);
    await activateCampaign(deps, actor, id);
    await expect(activateCampaign(deps, actor, id)).rejects.toBeInstanceOf(CampaignStateError);
  });

  it('deletes only drafts', async () => {
    const { deps, campaigns } = setup();
    const draft = await createCampaign(deps, actor, input);
    const live = await createCampaign(deps, actor, { ...input, name: 'Live' });
    await activateCampaign(deps, actor, live.id);

    await expect(deleteCampaign(deps, 'prod', live.id)).rejects.toBeInstanceOf(CampaignStateError);
    await deleteCampaign(deps, 'prod', draft.id);
    expect([...campaigns.records.values()].map((r) => r.id)).toEqual([live.id]);
    await expect(deleteCampaign(deps, 'prod', draft.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps sandboxes apart', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(deps, actor, input);
    await expect(getCampaign(deps, 'dev', id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(patchCampaign(deps, { ...actor, sandbox: 'dev' }, id, { name: 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(deleteCampaign(deps, 'dev', id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listCampaigns(deps, 'dev', { limit: 10 })).items).toEqual([]);
  });

  it('fails with a concurrent-update error when another writer saved in between', async () => {
    const { deps, campaigns } = setup();
    const { id } = await createCampaign(deps, actor, input);
    const stale = await campaigns.get('prod', id);
    await patchCampaign(deps, actor, id, { name: 'First writer' });
    await expect(campaigns.save({ ...stale!, name: 'Second writer', revision: 1 })).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );
    await expect(campaigns.delete('prod', id, 0)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect((await getCampaign(deps, 'prod', id)).name).toBe('First writer');
  });

  it('stops, archives and duplicates', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(deps, actor, input);
    await activateCampaign(deps, actor, id);
    await patchCampaign(deps, actor, id, { name: 'Pending' });
    const stopped = await stopCampaign(deps, actor, id);
    expect(stopped).toMatchObject({ status: 'stopped', stoppedAt: '2030-01-01T12:00:00.000Z' });
    expect(stopped).not.toHaveProperty('draft');
    await expect(activateCampaign(deps, actor, id)).rejects.toBeInstanceOf(CampaignStateError);

    const copy = await duplicateCampaign(deps, actor, id);
    expect(copy).toMatchObject({
      status: 'draft',
      version: 0,
      name: 'Password reset (copy)',
      duplicatedFrom: id,
    });
    expect(copy.id).not.toBe(id);

    await expect(archiveCampaign(deps, actor, id)).resolves.toMatchObject({ status: 'archived' });
    await expect(archiveCampaign(deps, actor, copy.id)).rejects.toBeInstanceOf(CampaignStateError);
  });

  it('lists a sandbox page by page', async () => {
    const { deps, clock } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await createCampaign(deps, actor, { ...input, name: `c${i}` })).id);
      clock.advance(1);
    }
    const first = await listCampaigns(deps, 'prod', { limit: 2 });
    expect(first.items.map((c) => c.id)).toEqual(ids.slice(0, 2));
    expect(first.items[0]).not.toHaveProperty('revision');
    const second = await listCampaigns(deps, 'prod', { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((c) => c.id)).toEqual(ids.slice(2));
    expect(second.nextCursor).toBeUndefined();
    await expect(listCampaigns(deps, 'dev', { limit: 2, cursor: first.nextCursor })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('runDueCampaignTransitions', () => {
  const later = { schedule: { startDate: '2030-01-01T13:00:00.000Z', endDate: '2030-01-01T15:00:00.000Z' } };

  it('moves a scheduled campaign to live when its start comes, then to completed at its end', async () => {
    const { deps, clock, stored } = setup();
    const { id } = await createCampaign(deps, actor, { ...input, ...later });
    expect((await activateCampaign(deps, actor, id)).status).toBe('scheduled');

    expect(await runDueCampaignTransitions(deps)).toBe(0);
    expect(stored(id).status).toBe('scheduled');

    clock.set('2030-01-01T13:00:00.000Z');
    expect(await runDueCampaignTransitions(deps)).toBe(1);
    expect(stored(id)).toMatchObject({ status: 'live', modifiedBy: 'scheduler', revision: 2 });
    expect(await runDueCampaignTransitions(deps)).toBe(0);

    clock.set('2030-01-01T15:00:01.000Z');
    expect(await runDueCampaignTransitions(deps)).toBe(1);
    expect(stored(id)).toMatchObject({ status: 'completed', completedAt: '2030-01-01T15:00:01.000Z' });
  });

  it('completes at once a scheduled campaign whose whole window has passed', async () => {
    const { deps, clock, stored } = setup();
    const { id } = await createCampaign(deps, actor, { ...input, ...later });
    await activateCampaign(deps, actor, id);
    clock.set('2030-01-02T00:00:00.000Z');
    expect(await runDueCampaignTransitions(deps)).toBe(1);
    expect(stored(id).status).toBe('completed');
  });

  it('works through more due campaigns than one batch holds', async () => {
    const { deps, clock, campaigns } = setup();
    for (let i = 0; i < 5; i++) {
      const { id } = await createCampaign(deps, actor, { ...input, name: `c${i}`, ...later });
      await activateCampaign(deps, actor, id);
    }
    clock.set('2030-01-01T14:00:00.000Z');
    expect(await runDueCampaignTransitions(deps, 2)).toBe(5);
    expect([...campaigns.records.values()].map((r) => r.status)).toEqual(Array(5).fill('live'));
  });
});
