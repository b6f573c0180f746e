import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Client } from './harness.ts';
import { waitFor } from './receiver.ts';

export type RunCounts = { sent: number; excluded: Record<string, number> };
type Status = { delivery: string; counts: RunCounts };

/**
 * A marketing SMS to an audience of these numbers, activated and run; the run's counts once it is
 * Finished and `settled` holds for them (by default at once).
 */
export async function marketingSmsRun(
  api: Client,
  phones: string[],
  settled: (counts: RunCounts) => boolean = () => true,
): Promise<RunCounts> {
  const audience = (await api.post<{ id: string }>('/audiences', { name: `a-${randomUUID()}` })).body.id;
  for (const phone of phones)
    await api.post(`/audiences/${audience}/members`, { identities: [{ namespace: 'phone', id: phone }] });
  const campaign = await api.post<{ id: string }>('/campaigns', {
    name: `sale ${randomUUID()}`,
    category: 'marketing',
    channel: 'sms',
    identityNamespace: 'phone',
    audience: { id: audience },
    content: { body: 'Sale today' },
  });
  expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
  expect((await api.post(`/campaigns/${campaign.body.id}/activate`)).status).toBe(200);
  const run = await api.post<{ executionId: string }>('/im/executions/audience', {
    campaignId: campaign.body.id,
  });
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  let last: Status | undefined;
  await waitFor(async () => {
    last = (await api.get<Status>(`/im/executions/audience/${run.body.executionId}`)).body;
    return last.delivery === 'Finished' && settled(last.counts);
  }, 'the run to finish');
  return (last as Status).counts;
}
