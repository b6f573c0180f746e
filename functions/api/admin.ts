import { apiHandler } from '../../shared/http/api-handler.ts';
import {
  createApiKey,
  createNamespace,
  createSandbox,
  deleteApiKey,
  listApiKeys,
  listNamespaces,
  listSandboxes,
  patchSandbox,
} from '../../shared/use-cases/admin.ts';
import { containerDeps } from '../../shared/wiring.ts';

export const handler = apiHandler({
  group: 'admin',
  deps: containerDeps,
  operations: {
    createSandbox: (request, deps) => createSandbox(deps, request.body),
    patchSandbox: (request, deps) => patchSandbox(deps, request.params.name, request.body),
    listSandboxes: async (_request, deps) => ({ items: await listSandboxes(deps) }),
    createApiKey: (request, deps) =>
      createApiKey(deps, request.principal, request.body, request.namedSandbox),
    listApiKeys: async (request, deps) => ({
      items: await listApiKeys(deps, request.principal, request.namedSandbox),
    }),
    deleteApiKey: (request, deps) =>
      deleteApiKey(deps, request.principal, request.params.id, request.namedSandbox),
    createNamespace: (request, deps) => createNamespace(deps, request.sandbox(), request.body),
    listNamespaces: async (request, deps) => ({
      items: await listNamespaces(deps, request.sandbox()),
    }),
  },
});
