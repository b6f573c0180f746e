import type { HeraldConfig } from '../../shared/config.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import { audiencesRoot } from '../../shared/roots/audiences.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { importChunk } from '../../shared/use-cases/audience-import.ts';
import {
  addMembers,
  createAudience,
  deleteAudience,
  getAudience,
  getImport,
  listAudiences,
  listMembers,
  patchAudience,
  removeMembers,
} from '../../shared/use-cases/audiences.ts';

/** The audiences function's handler, over the adapters its root builds from `config`. */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'audiences',
    deps: audiencesRoot(config, clients),
    operations: {
      createAudience: (request, deps) => createAudience(deps, request.sandbox(), request.body),
      listAudiences: async (request, deps) => ({ items: await listAudiences(deps, request.sandbox()) }),
      getAudience: (request, deps) => getAudience(deps, request.sandbox(), request.params.id),
      patchAudience: (request, deps) =>
        patchAudience(deps, request.sandbox(), request.params.id, request.body),
      deleteAudience: (request, deps) => deleteAudience(deps, request.sandbox(), request.params.id),
      listAudienceMembers: (request, deps) =>
        listMembers(deps, request.sandbox(), request.params.id, request.query),
      addAudienceMembers: (request, deps) =>
        addMembers(deps, request.sandbox(), request.params.id, request.body.identities),
      removeAudienceMembers: (request, deps) =>
        removeMembers(deps, request.sandbox(), request.params.id, request.body.identities),
      importAudienceChunk: (request, deps) =>
        importChunk(deps, request.sandbox(), request.params.id, request.body),
      getAudienceImport: (request, deps) =>
        getImport(deps, request.sandbox(), request.params.id, request.params.importId),
    },
  });
