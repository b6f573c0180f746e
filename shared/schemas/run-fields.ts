import { CHANNELS } from './campaign.ts';
import * as z from './zod.ts';

/** What every queued job and status event says about the run it belongs to. */
export const runFields = {
  sandbox: z.string(),
  executionId: z.string(),
  requestId: z.string(),
  campaignId: z.string(),
  campaignVersion: z.int(),
  campaignType: z.enum(['transactional', 'marketing']),
  channel: z.enum(CHANNELS),
};
