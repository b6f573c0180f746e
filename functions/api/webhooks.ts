import { apiHandler } from '../../shared/http/api-handler.ts';
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
import { containerDeps } from '../../shared/wiring.ts';

export const handler = apiHandler({
  group: 'webhooks',
  deps: containerDeps,
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
