import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

type Campaign = Record<string, unknown> & {
  id: string;
  status: string;
  version: number;
  draft?: Record<string, unknown>;
};

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['campaigns:read', 'campaigns:write', 'admin']));
});
afterAll(async () => {
  await herald?.stop();
});

async function create(body: Record<string, unknown> = emailCampaign): Promise<Campaign> {
  const answer = await api.post<Campaign>('/campaigns', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

describe('campaign lifecycle', () => {
  it('draft → live → edited through a draft version → stopped → archived, and duplicated', async () => {
    const draft = await create();
    expect(draft).toMatchObject({
      status: 'draft',
      version: 0,
      createNewProfiles: false,
      enableWebhooks: false,
    });

    const renamed = await api.patch<Campaign>(`/campaigns/${draft.id}`, { name: 'Reset v1' });
    expect(renamed.body).toMatchObject({ name: 'Reset v1', status: 'draft' });
    expect(renamed.body.draft).toBeUndefined();

    const live = await api.post<Campaign>(`/campaigns/${draft.id}/activate`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'live', version: 1 });
    expect(live.body.activatedAt).toBeTypeOf('string');

    const edited = await api.patch<Campaign>(`/campaigns/${draft.id}`, {
      content: { subject: 'New subject {{profile.firstName}}', text: 'Hello' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.status).toBe('live');
    expect(edited.body.content).toEqual(emailCampaign.content);
    expect(edited.body.draft?.content).toEqual({
      subject: 'New subject {{profile.firstName}}',
      text: 'Hello',
    });

    const read = await api.get<Campaign>(`/campaigns/${draft.id}`);
    expect(read.body.content).toEqual(emailCampaign.content);

    const swapped = await api.post<Campaign>(`/campaigns/${draft.id}/activate`);
    expect(swapped.body).toMatchObject({ status: 'live', version: 2, name: 'Reset v1' });
    expect(swapped.body.content).toEqual({ subject: 'New subject {{profile.firstName}}', text: 'Hello' });
    expect(swapped.body.draft).toBeUndefined();

    const again = await api.post(`/campaigns/${draft.id}/activate`);
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:herald:problem:campaign-state');

    expect((await api.delete(`/campaigns/${draft.id}`)).status).toBe(409);
    expect((await api.post(`/campaigns/${draft.id}/archive`)).status).toBe(409);

    const stopped = await api.post<Campaign>(`/campaigns/${draft.id}/stop`);
    expect(stopped.body.status).toBe('stopped');
    const reactivate = await api.post(`/campaigns/${draft.id}/activate`);
    expect(reactivate.status).toBe(409);
    expect(reactivate.body.detail).toContain('duplicate');
    expect((await api.patch(`/campaigns/${draft.id}`, { name: 'x' })).status).toBe(409);

    const copy = await api.post<Campaign>(`/campaigns/${draft.id}/duplicate`);
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({
      status: 'draft',
      version: 0,
      name: 'Reset v1 (copy)',
      duplicatedFrom: draft.id,
    });
    expect(copy.body.id).not.toBe(draft.id);

    const archived = await api.post<Campaign>(`/campaigns/${draft.id}/archive`);
    expect(archived.body.status).toBe('archived');

    expect((await api.delete(`/campaigns/${copy.body.id}`)).status).toBe(204);
    expect((await api.get(`/campaigns/${copy.body.id}`)).status).toBe(404);
  });

  it('a campaign with a future start is scheduled, and the scheduler makes it live then completed', async () => {
    const start = new Date(Date.now() + 1_500).toISOString();
    const end = new Date(Date.now() + 3_000).toISOString();
    const campaign = await create({ ...emailCampaign, schedule: { startDate: start, endDate: end } });
    const scheduled = await api.post<Campaign>(`/campaigns/${campaign.id}/activate`);
    expect(scheduled.body.status).toBe('scheduled');
    await herald.runScheduler();
    expect((await api.get<Campaign>(`/campaigns/${campaign.id}`)).body.status).toBe('scheduled');
    await new Promise((resolve) => setTimeout(resolve, Date.parse(start) - Date.now() + 100));
    await herald.runScheduler();
    expect((await api.get<Campaign>(`/campaigns/${campaign.id}`)).body.status).toBe('live');
    await new Promise((resolve) => setTimeout(resolve, Date.parse(end) - Date.now() + 100));
    await herald.runScheduler();
    const completed = await api.get<Campaign>(`/campaigns/${campaign.id}`);
    expect(completed.body.status).toBe('completed');
    expect(completed.body.completedAt).toBeTypeOf('string');
  });

  it('refuses activation with a past end date or a marketing campaign without audience', async () => {
    const past = await create({
      ...emailCampaign,
      schedule: { startDate: '2020-01-01T00:00:00Z', endDate: '2020-02-01T00:00:00Z' },
    });
    const answer = await api.post(`/campaigns/${past.id}/activate`);
    expect(answer.status).toBe(400);
    expect(answer.body.fields).toContainEqual({ path: 'schedule.endDate', message: 'is already past' });

    const marketing = await create({ ...emailCampaign, category: 'marketing' });
    const noAudience = await api.post(`/campaigns/${marketing.id}/activate`);
    expect(noAudience.status).toBe(400);
    expect(JSON.stringify(noAudience.body.fields)).toContain('audience');
  });

  it('checks templates, and high-throughput campaigns may not use profile variables', async () => {
    const broken = await api.post('/campaigns', {
      ...emailCampaign,
      content: { subject: 'Hi {{profile.name', text: 'x' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.fields).toEqual([
      expect.objectContaining({
        path: 'body.content.subject',
        message: expect.stringContaining('never closed'),
      }),
    ]);
    const highThroughput = await api.post('/campaigns', { ...emailCampaign, highThroughput: true });
    expect(highThroughput.status).toBe(400);
    expect(JSON.stringify(highThroughput.body.fields)).toContain('profile.firstName');
    const contextOnly = await create({
      ...emailCampaign,
      highThroughput: true,
      content: { subject: 'Code {{context.code}}', text: 'Your code is {{context.code}}' },
    });
    expect(contextOnly.highThroughput).toBe(true);
  });

  it('accepts a custom namespace only once it is registered in the sandbox', async () => {
    const unknown = await api.post('/campaigns', { ...emailCampaign, identityNamespace: 'crmId' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields).toEqual([expect.objectContaining({ path: 'body.identityNamespace' })]);
    expect((await api.post('/namespaces', { code: 'crmId', name: 'CRM id' })).status).toBe(201);
    expect((await api.post('/namespaces', { code: 'crmId' })).status).toBe(409);
    expect((await api.post('/namespaces', { code: 'email' })).status).toBe(400);
    const namespaces = await api.get<{ items: { code: string; standard: boolean }[] }>('/namespaces');
    expect(namespaces.body.items).toContainEqual(expect.objectContaining({ code: 'crmId', standard: false }));
    expect(namespaces.body.items).toContainEqual(expect.objectContaining({ code: 'email', standard: true }));
    await create({ ...emailCampaign, identityNamespace: 'crmId' });
  });

  it('lists campaigns a page at a time, oldest first', async () => {
    const { api: fresh } = await sandboxWithKey(herald, ['campaigns:read', 'campaigns:write']);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await fresh.post<Campaign>('/campaigns', { ...emailCampaign, name: `c${i}` });
      ids.push(answer.body.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await fresh.get<{ items: Campaign[]; nextCursor?: string }>(
        `/campaigns?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });
});
