import type { HeraldConfig } from '../../shared/config.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { webhooksRoot } from '../../shared/roots/webhooks.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listAttempts,
  listWebhooks,
  patchWebhook,
  recoverWebhook,
  resendEvent,
  rotateWebhookSecret,
  testWebhook,
} from '../../shared/use-cases/webhooks.ts';

/** The webhooks function's handler, over the adapters its root builds from `config`. */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'webhooks',
    deps: webhooksRoot(config, clients),
    operations: {
      createWebhook: (request, deps) => createWebhook(deps, request.sandbox(), request.body),
      listWebhooks: async (request, deps) => ({ items: await listWebhooks(deps, request.sandbox()) }),
      getWebhook: (request, deps) => getWebhook(deps, request.sandbox(), request.params.id),
      patchWebhook: (request, deps) => patchWebhook(deps, request.sandbox(), request.params.id, request.body),
      deleteWebhook: (request, deps) => deleteWebhook(deps, request.sandbox(), request.params.id),
      rotateWebhookSecret: (request, deps) => rotateWebhookSecret(deps, request.sandbox(), request.params.id),
      testWebhook: (request, deps) => testWebhook(deps, request.sandbox(), request.params.id),
      listWebhookAttempts: (request, deps) =>
        listAttempts(deps, request.sandbox(), request.params.id, request.query),
      resendWebhookEvent: (request, deps) =>
        resendEvent(deps, request.sandbox(), request.params.id, request.params.eventId),
      recoverWebhook: (request, deps) =>
        recoverWebhook(deps, request.sandbox(), request.params.id, request.body),
    },
  });
