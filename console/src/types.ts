/**
 * The API's shapes, taken from the server's own zod schemas (types only: nothing of zod or the
 * server is bundled), so the console cannot drift from what the API answers.
 */

import type { ApiKeyView, namespaceSchema, Scope } from '../../shared/schemas/admin.ts';
import type { audienceSchema } from '../../shared/schemas/audience.ts';
import type { CampaignDefinition, CampaignView, Category, Channel } from '../../shared/schemas/campaign.ts';
import type { WhoamiView } from '../../shared/schemas/console.ts';
import type {
  AudienceExecutionAccepted,
  AudienceExecutionStatus,
  executionSchema,
  MessageStatus,
  ProfileMessageView,
  RenderedMessageView,
  ScheduledExecution,
} from '../../shared/schemas/execution.ts';
import type { ExecutionSummary } from '../../shared/schemas/execution-log.ts';
import type { ProfileAudiences, ProfileView } from '../../shared/schemas/profile.ts';
import type { SuppressionView } from '../../shared/schemas/suppression.ts';
import type { TestSendAccepted } from '../../shared/schemas/test-send.ts';
import type { AttemptView, createdWebhookSchema, WebhookView } from '../../shared/schemas/webhook.ts';
import type * as z from '../../shared/schemas/zod.ts';

export type {
  ApiKeyView,
  AttemptView,
  AudienceExecutionAccepted,
  AudienceExecutionStatus,
  CampaignDefinition,
  CampaignView,
  Category,
  Channel,
  ExecutionSummary,
  MessageStatus,
  ProfileAudiences,
  ProfileMessageView,
  ProfileView,
  RenderedMessageView,
  ScheduledExecution,
  Scope,
  SuppressionView,
  TestSendAccepted,
  WebhookView,
  WhoamiView,
};
export type NamespaceView = z.infer<typeof namespaceSchema>;
export type AudienceView = z.infer<typeof audienceSchema>;
export type ExecutionView = z.infer<typeof executionSchema>;
export type CreatedWebhookView = z.infer<typeof createdWebhookSchema>;
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

/**
 * The members of a channel configuration the console reads (its schema's module uses node:crypto,
 * which the browser build does not typecheck against).
 */
export interface ChannelConfigurationView {
  readonly id: string;
  readonly name: string;
  readonly channel: Channel;
  readonly default: boolean;
}

/** A channel configuration as the API shows it (the provider is read as JSON, never typechecked here). */
export interface ChannelConfigurationFull extends ChannelConfigurationView {
  readonly provider: Readonly<Record<string, unknown>>;
  readonly rateLimitPerSec?: number;
  readonly fallback?: string;
  readonly createdAt: string;
  readonly modifiedAt: string;
}
