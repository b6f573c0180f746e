import * as z from 'zod';
import type { RouteRequirement } from '../domain/auth.ts';
import {
  apiKeyIdParamsSchema,
  apiKeySchema,
  createApiKeySchema,
  createdApiKeySchema,
  createNamespaceSchema,
  createSandboxSchema,
  listApiKeysQuerySchema,
  namespaceSchema,
  patchSandboxSchema,
  sandboxParamsSchema,
  sandboxSchema,
} from '../schemas/admin.ts';
import {
  audienceIdParamsSchema,
  audienceSchema,
  createAudienceSchema,
  importChunkSchema,
  importParamsSchema,
  importProgressSchema,
  membershipResultSchema,
  membersSchema,
  patchAudienceSchema,
  removalResultSchema,
} from '../schemas/audience.ts';
import {
  campaignIdParamsSchema,
  campaignSchema,
  createCampaignSchema,
  patchCampaignSchema,
} from '../schemas/campaign.ts';
import {
  channelConfigurationParamsSchema,
  channelConfigurationSchema,
  createChannelConfigurationSchema,
  patchChannelConfigurationSchema,
} from '../schemas/channel-configuration.ts';
import { pageOf, pageQuerySchema } from '../schemas/common.ts';
import { consoleAssetParamsSchema, whoamiSchema } from '../schemas/console.ts';
import {
  audienceExecutionAcceptedSchema,
  audienceExecutionSchema,
  audienceExecutionStatusSchema,
  executionAcceptedSchema,
  executionParamsSchema,
  executionSchema,
  highThroughputExecutionSchema,
  messageParamsSchema,
  renderedMessageSchema,
  scheduledExecutionSchema,
  scheduleParamsSchema,
  unitaryExecutionSchema,
} from '../schemas/execution.ts';
import { executionSummarySchema, listExecutionsQuerySchema } from '../schemas/execution-log.ts';
import { previewResultSchema, previewSchema } from '../schemas/preview.ts';
import {
  profileParamsSchema,
  profileSchema,
  upsertProfileResultSchema,
  upsertProfileSchema,
} from '../schemas/profile.ts';
import { unsubscribeParamsSchema } from '../schemas/unsubscribe.ts';
import {
  attemptSchema,
  createdWebhookSchema,
  createWebhookSchema,
  patchWebhookSchema,
  recoverSchema,
  rotatedSecretSchema,
  webhookEventParamsSchema,
  webhookIdParamsSchema,
  webhookSchema,
} from '../schemas/webhook.ts';

/**
 * Lambda functions serving the API; one per route group (`functions/api/<group>.ts`), each with its
 * entry in the function table (shared/definitions/functions.ts).
 */
export const API_GROUPS = [
  'system',
  'admin',
  'campaigns',
  'profiles',
  'executions',
  'webhooks',
  'audiences',
  'channels',
  'public',
] as const;
export type ApiGroup = (typeof API_GROUPS)[number];

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path template, e.g. `/campaigns/{id}`. */
  readonly path: string;
  readonly group: ApiGroup;
  readonly operationId: string;
  readonly summary: string;
  readonly requires: RouteRequirement;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly response?: z.ZodType;
  /** Status of a successful answer. */
  readonly status: number;
  readonly tag: string;
  /**
   * Where a call names the sandbox it works on itself (key and sandbox management, which the root
   * key may do for any sandbox); `x-sandbox-name` from the root key must match it.
   */
  readonly sandboxField?: { readonly in: 'body' | 'query' | 'params'; readonly name: string };
  /** Set on a generated alias: the path of the route it answers for (see {@link AJO_PREFIX}). */
  readonly aliasOf?: string;
  /**
   * The operation returns an HTML page (a string) instead of JSON, or (`static`) a file of the
   * built console with its own media type and caching (a `StaticFile`, shared/http/static-file.ts).
   */
  readonly produces?: 'text/html' | 'static';
  /**
   * The body, when there is one, is an HTML form (`application/x-www-form-urlencoded`, any media
   * type accepted) read as a map of strings: what mailbox providers POST for RFC 8058 one-click.
   */
  readonly formBody?: true;
}

const noContent = undefined;

/** The routes as written; {@link routes} adds the generated aliases. */
const primaryRoutes = [
  {
    method: 'GET',
    path: '/im/health',
    group: 'system',
    operationId: 'health',
    summary: 'Health check',
    requires: 'authenticated',
    status: 200,
    tag: 'System',
    response: z.object({ status: z.literal('ok'), time: z.string() }),
  },
  {
    method: 'GET',
    path: '/openapi.json',
    group: 'system',
    operationId: 'openapi',
    summary: 'This API as an OpenAPI 3.1 document',
    requires: 'authenticated',
    status: 200,
    tag: 'System',
  },
  {
    method: 'GET',
    path: '/whoami',
    group: 'system',
    operationId: 'whoami',
    summary: 'The calling key: its sandbox and scopes (what the console shows and allows)',
    requires: 'authenticated',
    response: whoamiSchema,
    status: 200,
    tag: 'System',
  },
  {
    method: 'POST',
    path: '/sandboxes',
    group: 'admin',
    operationId: 'createSandbox',
    summary: 'Create a sandbox',
    requires: 'root',
    sandboxField: { in: 'body', name: 'name' },
    body: createSandboxSchema,
    response: sandboxSchema,
    status: 201,
    tag: 'Administration',
  },
  {
    method: 'GET',
    path: '/sandboxes',
    group: 'admin',
    operationId: 'listSandboxes',
    summary: 'List sandboxes',
    requires: 'root',
    response: z.object({ items: z.array(sandboxSchema) }),
    status: 200,
    tag: 'Administration',
  },
  {
    method: 'PATCH',
    path: '/sandboxes/{name}',
    group: 'admin',
    operationId: 'patchSandbox',
    summary: "Edit a sandbox's settings (its default country for national phone numbers)",
    requires: 'root',
    sandboxField: { in: 'params', name: 'name' },
    params: sandboxParamsSchema,
    body: patchSandboxSchema,
    response: sandboxSchema,
    status: 200,
    tag: 'Administration',
  },
  {
    method: 'POST',
    path: '/api-keys',
    group: 'admin',
    operationId: 'createApiKey',
    summary: 'Create an API key for a sandbox (the secret is shown once)',
    requires: 'admin',
    sandboxField: { in: 'body', name: 'sandbox' },
    body: createApiKeySchema,
    response: createdApiKeySchema,
    status: 201,
    tag: 'Administration',
  },
  {
    method: 'GET',
    path: '/api-keys',
    group: 'admin',
    operationId: 'listApiKeys',
    summary: "List a sandbox's API keys (never their secrets)",
    requires: 'admin',
    sandboxField: { in: 'query', name: 'sandbox' },
    query: listApiKeysQuerySchema,
    response: z.object({ items: z.array(apiKeySchema) }),
    status: 200,
    tag: 'Administration',
  },
  {
    method: 'DELETE',
    path: '/api-keys/{id}',
    group: 'admin',
    operationId: 'deleteApiKey',
    summary: 'Revoke an API key',
    requires: 'admin',
    sandboxField: { in: 'query', name: 'sandbox' },
    params: apiKeyIdParamsSchema,
    query: listApiKeysQuerySchema,
    response: noContent,
    status: 204,
    tag: 'Administration',
  },
  {
    method: 'POST',
    path: '/namespaces',
    group: 'admin',
    operationId: 'createNamespace',
    summary: 'Register a custom identity namespace in the sandbox',
    requires: 'admin',
    body: createNamespaceSchema,
    response: namespaceSchema,
    status: 201,
    tag: 'Administration',
  },
  {
    method: 'GET',
    path: '/namespaces',
    group: 'admin',
    operationId: 'listNamespaces',
    summary: 'List identity namespaces (standard and custom)',
    requires: 'profiles:read',
    response: z.object({ items: z.array(namespaceSchema) }),
    status: 200,
    tag: 'Administration',
  },
  {
    method: 'POST',
    path: '/campaigns',
    group: 'campaigns',
    operationId: 'createCampaign',
    summary: 'Create a campaign (as a draft)',
    requires: 'campaigns:write',
    body: createCampaignSchema,
    response: campaignSchema,
    status: 201,
    tag: 'Campaigns',
  },
  {
    method: 'GET',
    path: '/campaigns',
    group: 'campaigns',
    operationId: 'listCampaigns',
    summary: 'List campaigns, oldest first, a page at a time',
    requires: 'campaigns:read',
    query: pageQuerySchema,
    response: pageOf(campaignSchema),
    status: 200,
    tag: 'Campaigns',
  },
  {
    method: 'POST',
    path: '/previews',
    group: 'campaigns',
    operationId: 'previewContent',
    summary:
      "Render content with Herald's template engine against a profile or sample data (nothing is stored or sent); template errors name the field and offset",
    requires: 'campaigns:read',
    body: previewSchema,
    response: previewResultSchema,
    status: 200,
    tag: 'Campaigns',
  },
  {
    method: 'GET',
    path: '/campaigns/{id}',
    group: 'campaigns',
    operationId: 'getCampaign',
    summary: 'Read a campaign and its pending draft version',
    requires: 'campaigns:read',
    params: campaignIdParamsSchema,
    response: campaignSchema,
    status: 200,
    tag: 'Campaigns',
  },
  {
    method: 'PATCH',
    path: '/campaigns/{id}',
    group: 'campaigns',
    operationId: 'patchCampaign',
    summary: 'Edit a campaign (a scheduled or live one gets a draft version)',
    requires: 'campaigns:write',
    params: campaignIdParamsSchema,
    body: patchCampaignSchema,
    response: campaignSchema,
    status: 200,
    tag: 'Campaigns',
  },
  {
    method: 'DELETE',
    path: '/campaigns/{id}',
    group: 'campaigns',
    operationId: 'deleteCampaign',
    summary: 'Delete a draft campaign',
    requires: 'campaigns:write',
    params: campaignIdParamsSchema,
    status: 204,
    tag: 'Campaigns',
  },
  ...(['activate', 'stop', 'archive', 'duplicate'] as const).map((action) => ({
    method: 'POST' as const,
    path: `/campaigns/{id}/${action}`,
    group: 'campaigns' as const,
    operationId: `${action}Campaign` as const,
    summary: {
      activate: 'Activate a draft, or make pending edits of a live campaign live',
      stop: 'Stop a live or scheduled campaign (it cannot be reactivated)',
      archive: 'Archive a stopped or completed campaign',
      duplicate: 'Copy a campaign as a new draft',
    }[action],
    requires: 'campaigns:write' as const,
    params: campaignIdParamsSchema,
    response: campaignSchema,
    status: action === 'duplicate' ? 201 : 200,
    tag: 'Campaigns',
  })),
  {
    method: 'PUT',
    path: '/profiles',
    group: 'profiles',
    operationId: 'upsertProfile',
    summary: 'Create or update a profile by its identities',
    requires: 'profiles:write',
    body: upsertProfileSchema,
    response: upsertProfileResultSchema,
    status: 200,
    tag: 'Profiles',
  },
  {
    method: 'GET',
    path: '/profiles/{namespace}/{id}',
    group: 'profiles',
    operationId: 'getProfile',
    summary: 'Read a profile by one of its identities',
    requires: 'profiles:read',
    params: profileParamsSchema,
    response: profileSchema,
    status: 200,
    tag: 'Profiles',
  },
  {
    method: 'DELETE',
    path: '/profiles/{namespace}/{id}',
    group: 'profiles',
    operationId: 'deleteProfile',
    summary: 'Delete a profile and all its identities',
    requires: 'profiles:write',
    params: profileParamsSchema,
    status: 204,
    tag: 'Profiles',
  },
  {
    method: 'POST',
    path: '/im/executions/unitary',
    group: 'executions',
    operationId: 'triggerUnitary',
    summary: 'Trigger a live transactional campaign for 1 to 20 recipients (idempotent on requestId)',
    requires: 'executions:write',
    body: unitaryExecutionSchema,
    response: executionAcceptedSchema,
    status: 202,
    tag: 'Executions',
  },
  {
    method: 'POST',
    path: '/im/executions/highthroughput',
    group: 'executions',
    operationId: 'triggerHighThroughput',
    summary:
      'Trigger a live high-throughput transactional campaign for 1 to 20 external recipients: no profile is read, one enqueue per call (idempotent on requestId; ADR 0018)',
    requires: 'executions:write',
    body: highThroughputExecutionSchema,
    response: executionAcceptedSchema,
    status: 202,
    tag: 'Executions',
  },
  {
    method: 'POST',
    path: '/im/executions/audience',
    group: 'executions',
    operationId: 'triggerAudience',
    summary: "Send a live marketing campaign to its audience at the campaign's rate",
    requires: 'executions:write',
    body: audienceExecutionSchema,
    response: z.union([audienceExecutionAcceptedSchema, scheduledExecutionSchema]),
    status: 202,
    tag: 'Executions',
  },
  {
    method: 'GET',
    path: '/im/executions/audience/{executionId}',
    group: 'executions',
    operationId: 'getAudienceExecution',
    summary: 'Progress of an audience run, with counts per status and exclusion reason',
    requires: 'executions:read',
    params: executionParamsSchema,
    response: audienceExecutionStatusSchema,
    status: 200,
    tag: 'Executions',
  },
  {
    method: 'GET',
    path: '/im/executions/schedules/{scheduleId}',
    group: 'executions',
    operationId: 'getSchedule',
    summary: 'Read a scheduled audience run',
    requires: 'executions:read',
    params: scheduleParamsSchema,
    response: scheduledExecutionSchema,
    status: 200,
    tag: 'Executions',
  },
  {
    method: 'DELETE',
    path: '/im/executions/schedules/{scheduleId}',
    group: 'executions',
    operationId: 'cancelSchedule',
    summary: 'Cancel a scheduled audience run before it starts',
    requires: 'executions:write',
    params: scheduleParamsSchema,
    response: scheduledExecutionSchema,
    status: 200,
    tag: 'Executions',
  },
  {
    method: 'GET',
    path: '/executions',
    group: 'executions',
    operationId: 'listExecutions',
    summary:
      'List executions of every kind (unitary, high-throughput, audience runs), newest first, by campaign, kind and date, a page at a time',
    requires: 'executions:read',
    query: listExecutionsQuerySchema,
    response: pageOf(executionSummarySchema),
    status: 200,
    tag: 'Executions',
  },
  {
    method: 'GET',
    path: '/executions/{executionId}',
    group: 'executions',
    operationId: 'getExecution',
    summary: "Read an execution and each recipient's status",
    requires: 'executions:read',
    params: executionParamsSchema,
    response: executionSchema,
    status: 200,
    tag: 'Executions',
  },
  {
    method: 'GET',
    path: '/executions/{executionId}/messages/{messageId}',
    group: 'executions',
    operationId: 'getRenderedMessage',
    summary: 'Read the rendered message (sandbox provider)',
    requires: 'executions:read',
    params: messageParamsSchema,
    response: renderedMessageSchema,
    status: 200,
    tag: 'Executions',
  },
  {
    method: 'POST',
    path: '/webhooks',
    group: 'webhooks',
    operationId: 'createWebhook',
    summary: 'Configure a feedback webhook (the signing secret is shown once)',
    requires: 'webhooks:admin',
    body: createWebhookSchema,
    response: createdWebhookSchema,
    status: 201,
    tag: 'Webhooks',
  },
  {
    method: 'GET',
    path: '/webhooks',
    group: 'webhooks',
    operationId: 'listWebhooks',
    summary: "List the sandbox's feedback webhooks",
    requires: 'webhooks:admin',
    response: z.object({ items: z.array(webhookSchema) }),
    status: 200,
    tag: 'Webhooks',
  },
  {
    method: 'GET',
    path: '/webhooks/{id}',
    group: 'webhooks',
    operationId: 'getWebhook',
    summary: 'Read a webhook (and why it was disabled, if it was)',
    requires: 'webhooks:admin',
    params: webhookIdParamsSchema,
    response: webhookSchema,
    status: 200,
    tag: 'Webhooks',
  },
  {
    method: 'PATCH',
    path: '/webhooks/{id}',
    group: 'webhooks',
    operationId: 'patchWebhook',
    summary: 'Edit a webhook; `enabled: true` re-enables a disabled one',
    requires: 'webhooks:admin',
    params: webhookIdParamsSchema,
    body: patchWebhookSchema,
    response: webhookSchema,
    status: 200,
    tag: 'Webhooks',
  },
  {
    method: 'DELETE',
    path: '/webhooks/{id}',
    group: 'webhooks',
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook',
    requires: 'webhooks:admin',
    params: webhookIdParamsSchema,
    status: 204,
    tag: 'Webhooks',
  },
  {
    method: 'POST',
    path: '/webhooks/{id}/rotate-secret',
    group: 'webhooks',
    operationId: 'rotateWebhookSecret',
    summary: 'Issue a new signing secret; the old one also signs for 24 hours',
    requires: 'webhooks:admin',
    params: webhookIdParamsSchema,
    response: rotatedSecretSchema,
    status: 200,
    tag: 'Webhooks',
  },
  {
    method: 'POST',
    path: '/webhooks/{id}/test',
    group: 'webhooks',
    operationId: 'testWebhook',
    summary: 'Send a test event now and return the attempt',
    requires: 'webhooks:admin',
    params: webhookIdParamsSchema,
    response: attemptSchema,
    status: 200,
    tag: 'Webhooks',
  },
  {
    method: 'GET',
    path: '/webhooks/{id}/attempts',
    group: 'webhooks',
    operationId: 'listWebhookAttempts',
    summary: 'The attempt log, newest first',
    requires: 'webhooks:admin',
    params: webhookIdParamsSchema,
    query: pageQuerySchema,
    response: pageOf(attemptSchema),
    status: 200,
    tag: 'Webhooks',
  },
  {
    method: 'POST',
    path: '/webhooks/{id}/events/{eventId}/resend',
    group: 'webhooks',
    operationId: 'resendWebhookEvent',
    summary: 'Deliver one event again',
    requires: 'webhooks:admin',
    params: webhookEventParamsSchema,
    response: z.object({ queued: z.number().int() }),
    status: 202,
    tag: 'Webhooks',
  },
  {
    method: 'POST',
    path: '/webhooks/{id}/recover',
    group: 'webhooks',
    operationId: 'recoverWebhook',
    summary: 'Deliver again every event that failed in a time window',
    requires: 'webhooks:admin',
    params: webhookIdParamsSchema,
    body: recoverSchema,
    response: z.object({ queued: z.number().int() }),
    status: 202,
    tag: 'Webhooks',
  },
  {
    method: 'POST',
    path: '/channel-configurations',
    group: 'channels',
    operationId: 'createChannelConfiguration',
    summary: 'Configure a provider for a channel (SES, SMTP or the sandbox provider)',
    requires: 'channels:admin',
    body: createChannelConfigurationSchema,
    response: channelConfigurationSchema,
    status: 201,
    tag: 'Channel configurations',
  },
  {
    method: 'GET',
    path: '/channel-configurations',
    group: 'channels',
    operationId: 'listChannelConfigurations',
    summary: "List the sandbox's channel configurations",
    requires: 'channels:admin',
    response: z.object({ items: z.array(channelConfigurationSchema) }),
    status: 200,
    tag: 'Channel configurations',
  },
  {
    method: 'GET',
    path: '/channel-configurations/{id}',
    group: 'channels',
    operationId: 'getChannelConfiguration',
    summary: 'Read a channel configuration (never its password)',
    requires: 'channels:admin',
    params: channelConfigurationParamsSchema,
    response: channelConfigurationSchema,
    status: 200,
    tag: 'Channel configurations',
  },
  {
    method: 'PATCH',
    path: '/channel-configurations/{id}',
    group: 'channels',
    operationId: 'patchChannelConfiguration',
    summary: 'Change a channel configuration: name, provider, rate limit, default',
    requires: 'channels:admin',
    params: channelConfigurationParamsSchema,
    body: patchChannelConfigurationSchema,
    response: channelConfigurationSchema,
    status: 200,
    tag: 'Channel configurations',
  },
  {
    method: 'DELETE',
    path: '/channel-configurations/{id}',
    group: 'channels',
    operationId: 'deleteChannelConfiguration',
    summary: 'Delete a channel configuration',
    requires: 'channels:admin',
    params: channelConfigurationParamsSchema,
    status: 204,
    tag: 'Channel configurations',
  },
  {
    method: 'GET',
    path: '/u/{token}',
    group: 'public',
    operationId: 'unsubscribePage',
    summary:
      'The unsubscribe page of a message (public: the signed token is the credential; changes nothing)',
    requires: 'public',
    params: unsubscribeParamsSchema,
    produces: 'text/html',
    status: 200,
    tag: 'Unsubscribe',
  },
  {
    method: 'POST',
    path: '/u/{token}',
    group: 'public',
    operationId: 'unsubscribe',
    summary:
      "Unsubscribe: one-click (RFC 8058) or the page's button; withdraws marketing consent on the channel",
    requires: 'public',
    params: unsubscribeParamsSchema,
    formBody: true,
    produces: 'text/html',
    status: 200,
    tag: 'Unsubscribe',
  },
  {
    method: 'POST',
    path: '/audiences',
    group: 'audiences',
    operationId: 'createAudience',
    summary: 'Create a static audience',
    requires: 'audiences:write',
    body: createAudienceSchema,
    response: audienceSchema,
    status: 201,
    tag: 'Audiences',
  },
  {
    method: 'GET',
    path: '/audiences',
    group: 'audiences',
    operationId: 'listAudiences',
    summary: "List the sandbox's audiences",
    requires: 'audiences:read',
    response: z.object({ items: z.array(audienceSchema) }),
    status: 200,
    tag: 'Audiences',
  },
  {
    method: 'GET',
    path: '/audiences/{id}',
    group: 'audiences',
    operationId: 'getAudience',
    summary: 'Read an audience with its member count',
    requires: 'audiences:read',
    params: audienceIdParamsSchema,
    response: audienceSchema,
    status: 200,
    tag: 'Audiences',
  },
  {
    method: 'PATCH',
    path: '/audiences/{id}',
    group: 'audiences',
    operationId: 'patchAudience',
    summary: 'Rename or describe an audience',
    requires: 'audiences:write',
    params: audienceIdParamsSchema,
    body: patchAudienceSchema,
    response: audienceSchema,
    status: 200,
    tag: 'Audiences',
  },
  {
    method: 'DELETE',
    path: '/audiences/{id}',
    group: 'audiences',
    operationId: 'deleteAudience',
    summary: 'Delete an audience and its memberships (not the profiles)',
    requires: 'audiences:write',
    params: audienceIdParamsSchema,
    status: 204,
    tag: 'Audiences',
  },
  {
    method: 'POST',
    path: '/audiences/{id}/members',
    group: 'audiences',
    operationId: 'addAudienceMembers',
    summary: 'Add up to 1,000 identities (profiles are created for unknown ones)',
    requires: 'audiences:write',
    params: audienceIdParamsSchema,
    body: membersSchema,
    response: membershipResultSchema,
    status: 200,
    tag: 'Audiences',
  },
  {
    method: 'DELETE',
    path: '/audiences/{id}/members',
    group: 'audiences',
    operationId: 'removeAudienceMembers',
    summary: 'Remove up to 1,000 identities',
    requires: 'audiences:write',
    params: audienceIdParamsSchema,
    body: membersSchema,
    response: removalResultSchema,
    status: 200,
    tag: 'Audiences',
  },
  {
    method: 'POST',
    path: '/audiences/{id}/imports',
    group: 'audiences',
    operationId: 'importAudienceChunk',
    summary: 'Import a chunk of up to 1,000 newline-delimited identities; returns the progress',
    requires: 'audiences:write',
    params: audienceIdParamsSchema,
    body: importChunkSchema,
    response: importProgressSchema,
    status: 200,
    tag: 'Audiences',
  },
  {
    method: 'GET',
    path: '/audiences/{id}/imports/{importId}',
    group: 'audiences',
    operationId: 'getAudienceImport',
    summary: "An import's progress: lines, imported, created, rejected with reasons",
    requires: 'audiences:read',
    params: importParamsSchema,
    response: importProgressSchema,
    status: 200,
    tag: 'Audiences',
  },
  {
    method: 'GET',
    path: '/console',
    group: 'public',
    operationId: 'consolePage',
    summary:
      'The web console (public static files: the user pastes an API key into the page, which sends it as a bearer token; ADR 0019)',
    requires: 'public',
    produces: 'static',
    status: 200,
    tag: 'Console',
  },
  {
    method: 'GET',
    path: '/console/assets/{file}',
    group: 'public',
    operationId: 'consoleAsset',
    summary: "A script or style sheet of the web console (public, immutable: its name is its content's hash)",
    requires: 'public',
    params: consoleAssetParamsSchema,
    produces: 'static',
    status: 200,
    tag: 'Console',
  },
] as const satisfies readonly RouteDefinition[];

/**
 * AJO clients call `https://platform.adobe.io/ajo/im/executions/...`: with their base URL pointed at
 * Herald they send `/ajo/im/...`, so every `/im/` route also answers under this prefix.
 */
export const AJO_PREFIX = '/ajo';

/** A route under another path, keeping everything else (and its precise schema types). */
type Alias<R> = R extends RouteDefinition
  ? Omit<R, 'path'> & { readonly path: string; readonly aliasOf: string }
  : never;

/** Each `/im/` route again under {@link AJO_PREFIX}: same handler, schemas, scope and answer. */
function withAjoAliases<const R extends readonly RouteDefinition[]>(
  table: R,
): readonly (R[number] | Alias<R[number]>)[] {
  const aliases = table
    .filter((route) => route.path.startsWith('/im/'))
    // TypeScript cannot spread a generic union precisely; Alias<> is exactly what the spread makes.
    .map(
      (route) => ({ ...route, path: `${AJO_PREFIX}${route.path}`, aliasOf: route.path }) as Alias<R[number]>,
    );
  return [...table, ...aliases];
}

/**
 * The single table of routes. The CDK API construct makes one API Gateway route per entry, the
 * local runtime serves the same entries, handlers look up their schemas and scope here, and the
 * OpenAPI document is generated from it. Aliases are generated from the entries, never written.
 */
export const routes = withAjoAliases(primaryRoutes);

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];

/** API Gateway's route key, e.g. `POST /campaigns/{id}/activate`. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** OpenAPI needs unique operation ids: an alias's is its route's, prefixed (`ajoTriggerUnitary`). */
export function documentedOperationId(route: Pick<RouteDefinition, 'operationId' | 'aliasOf'>): string {
  if (route.aliasOf === undefined) return route.operationId;
  return `ajo${route.operationId.charAt(0).toUpperCase()}${route.operationId.slice(1)}`;
}

export function findRouteByKey(key: string): RouteDefinition | undefined {
  return (routes as readonly RouteDefinition[]).find((route) => routeKey(route) === key);
}
