import type { HeraldConfig } from '../../shared/config.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import { adminRoot } from '../../shared/roots/admin.ts';
import type { Clients } from '../../shared/roots/parts.ts';
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

/** The admin function's handler, over the adapters its root builds from `config`. */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'admin',
    deps: adminRoot(config, clients),
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
