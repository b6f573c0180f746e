import { MESSAGE_STATUSES } from './execution.ts';
import { runFields } from './run-fields.ts';
import * as z from './zod.ts';

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
    code: z.optional(z.string()),
    reason: z.optional(z.string()),
    timestamp: z.string(),
    /** The recipient's profile; absent for external recipients. */
    profileId: z.optional(z.string()),
    /** Where the message went (or would have gone), when known. */
    address: z.optional(z.string()),
    /** SMS only, once rendered: how the text travels. */
    encoding: z.optional(z.enum(['GSM', 'UNICODE'])),
    messageParts: z.optional(z.int().check(z.gte(1))),
  })
  .register(z.globalRegistry, { id: 'StatusEvent' });
export type StatusEvent = z.infer<typeof statusEventSchema>;
