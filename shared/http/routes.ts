import { z } from 'zod';
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
  sandboxSchema,
} from '../schemas/admin.ts';
import {
  campaignIdParamsSchema,
  campaignSchema,
  createCampaignSchema,
  patchCampaignSchema,
} from '../schemas/campaign.ts';
import { pageOf, pageQuerySchema } from '../schemas/common.ts';
import {
  executionAcceptedSchema,
  executionParamsSchema,
  executionSchema,
  messageParamsSchema,
  renderedMessageSchema,
  unitaryExecutionSchema,
} from '../schemas/execution.ts';
import {
  profileParamsSchema,
  profileSchema,
  upsertProfileResultSchema,
  upsertProfileSchema,
} from '../schemas/profile.ts';

/** Lambda functions serving the API; one per route group. Entry: `functions/api/<group>.ts`. */
export const API_GROUPS = ['system', 'admin', 'campaigns', 'profiles', 'executions'] as const;
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
}

const noContent = undefined;

/**
 * The single table of routes. The CDK API construct makes one API Gateway route per entry, the
 * local runtime serves the same entries, handlers look up their schemas and scope here, and the
 * OpenAPI document is generated from it.
 */
export const routes = [
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
    method: 'POST',
    path: '/sandboxes',
    group: 'admin',
    operationId: 'createSandbox',
    summary: 'Create a sandbox',
    requires: 'root',
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
    method: 'POST',
    path: '/api-keys',
    group: 'admin',
    operationId: 'createApiKey',
    summary: 'Create an API key for a sandbox (the secret is shown once)',
    requires: 'admin',
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
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];

/** API Gateway's route key, e.g. `POST /campaigns/{id}/activate`. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function findRouteByKey(key: string): RouteDefinition | undefined {
  return (routes as readonly RouteDefinition[]).find((route) => routeKey(route) === key);
}
