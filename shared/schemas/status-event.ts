import { z } from 'zod';
import { MESSAGE_STATUSES } from './execution.ts';

/**
 * A message's status change, as published on the feedback queue for campaigns with webhooks
 * enabled. `eventId` is stable for one change, so redelivered copies can be recognised downstream.
 */
export const statusEventSchema = z
  .object({
    kind: z.literal('status-event'),
    eventId: z.string(),
    sandbox: z.string(),
    executionId: z.string(),
    requestId: z.string(),
    campaignId: z.string(),
    campaignVersion: z.number().int(),
    campaignType: z.enum(['transactional', 'marketing']),
    channel: z.enum(['email', 'sms', 'push']),
    messageId: z.string(),
    userId: z.string(),
    namespace: z.string(),
    status: z.enum(MESSAGE_STATUSES),
    code: z.string().optional(),
    reason: z.string().optional(),
    timestamp: z.string(),
  })
  .meta({ id: 'StatusEvent' });
export type StatusEvent = z.infer<typeof statusEventSchema>;
