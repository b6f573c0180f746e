import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

/** What a client written for Adobe Journey Optimizer sends, unmodified. */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let sandbox: string;
let api: Client;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ sandbox, api } = await sandboxWithKey(herald, ['admin']));
});
afterAll(async () => {
  await herald?.stop();
});

async function liveCampaign(definition: Record<string, unknown> = emailCampaign): Promise<string> {
  const created = await api.post<{ id: string }>('/campaigns', definition);
  if (created.status !== 201) throw new Error(`campaign: ${JSON.stringify(created.body)}`);
  const activated = await api.post(`/campaigns/${created.body.id}/activate`);
  if (activated.status !== 200) throw new Error(`activate: ${JSON.stringify(activated.body)}`);
  return created.body.id;
}

describe("AJO's base path", () => {
  it('/ajo/im/… answers as /im/… does, for triggers, reads and health', async () => {
    const campaignId = await liveCampaign({ ...emailCampaign, createNewProfiles: true });
    const body = {
      requestId: `ajo-alias-${sandbox}`,
      campaignId,
      recipients: [{ type: 'aep', userId: 'alias@example.com', namespace: 'email' }],
    };
    const viaAjo = await api.post<{ executionId: string }>('/ajo/im/executions/unitary', body);
    expect(viaAjo.status).toBe(202);
    // The same requestId on the other path is the same request: one idempotency key, one answer.
    const viaIm = await api.post<{ executionId: string }>('/im/executions/unitary', body);
    expect(viaIm.status).toBe(202);
    expect(viaIm.body.executionId).toBe(viaAjo.body.executionId);

    const health = await api.get('/ajo/im/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const missing = await api.get('/ajo/im/executions/audience/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('covers only the /im/ routes', async () => {
    const answer = await api.get('/ajo/campaigns');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ message: 'Not Found' });
  });
});

describe('error documents', () => {
  it("keep RFC 9457's fields and carry AJO's report.additionalContext with the same values", async () => {
    const campaignId = '00000000-0000-4000-8000-000000000001';
    const answer = await api.post('/ajo/im/executions/unitary', {
      requestId: 'ajo-error-1',
      campaignId,
      recipients: [{ type: 'aep', userId: 'x@example.com', namespace: 'email' }],
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).toMatchObject({
      type: 'urn:herald:problem:campaign-not-found',
      title: expect.any(String),
      status: 404,
      detail: expect.any(String),
    });
    const report = answer.body.report as Record<string, unknown>;
    expect(report).toEqual({
      correlationId: expect.any(String),
      requestId: 'ajo-error-1',
      campaignId,
      additionalContext: { correlationId: report.correlationId, requestId: 'ajo-error-1', campaignId },
    });
  });

  it('carry additionalContext on failures before the body is read (authentication)', async () => {
    const answer = await herald.root.request('GET', '/im/health', undefined, {
      authorization: 'Bearer not-a-key',
    });
    expect(answer.status).toBe(401);
    const report = answer.body.report as Record<string, unknown>;
    expect(report.additionalContext).toEqual({ correlationId: report.correlationId });
  });
});
