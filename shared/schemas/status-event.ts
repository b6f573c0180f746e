import * as z from 'zod';
import { MESSAGE_STATUSES } from './execution.ts';
import { runFields } from './run-fields.ts';

/**
 * A message's status change, as published on the feedback queue for campaigns with webhooks
 * enabled. `eventId` is stable for one change, so redelivered copies can be recognised downstream.
 */
export const statusEventSchema = z
  .object({
    kind: z.literal('status-event'),
    eventId: z.string(),
    ...runFields,
    messageId: z.string(),
    userId: z.string(),
    namespace: z.string(),
    status: z.enum(MESSAGE_STATUSES),
    code: z.string().optional(),
    reason: z.string().optional(),
    timestamp: z.string(),
    /** The recipient's profile; absent for external recipients. */
    profileId: z.string().optional(),
    /** Where the message went (or would have gone), when known. */
    address: z.string().optional(),
    /** SMS only, once rendered: how the text travels. */
    encoding: z.enum(['GSM', 'UNICODE']).optional(),
    messageParts: z.number().int().min(1).optional(),
  })
  .meta({ id: 'StatusEvent' });
export type StatusEvent = z.infer<typeof statusEventSchema>;
