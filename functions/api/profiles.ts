import type { HeraldConfig } from '../../shared/config.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { profilesRoot } from '../../shared/roots/profiles.ts';
import {
  deleteProfile,
  getProfile,
  getProfileAudiences,
  getProfileMessages,
  upsertProfile,
} from '../../shared/use-cases/profiles.ts';
import { getSuppression, listSuppressions, removeSuppression } from '../../shared/use-cases/suppressions.ts';

/** The profiles function's handler, over the adapters its root builds from `config`. */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'profiles',
    deps: profilesRoot(config, clients),
    operations: {
      upsertProfile: (request, deps) => upsertProfile(deps, request.sandbox(), request.body),
      getProfile: (request, deps) =>
        getProfile(deps, request.sandbox(), request.params.namespace, request.params.id),
      getProfileAudiences: (request, deps) =>
        getProfileAudiences(deps, request.sandbox(), request.params.namespace, request.params.id),
      getProfileMessages: (request, deps) =>
        getProfileMessages(
          deps,
          request.sandbox(),
          request.params.namespace,
          request.params.id,
          request.query,
        ),
      deleteProfile: (request, deps) =>
        deleteProfile(deps, request.sandbox(), request.params.namespace, request.params.id),
      listSuppressions: (request, deps) => listSuppressions(deps, request.sandbox(), request.query),
      getSuppression: (request, deps) =>
        getSuppression(deps, request.sandbox(), request.params.channel, request.params.address),
      removeSuppression: (request, deps) =>
        removeSuppression(deps, request.sandbox(), request.params.channel, request.params.address),
    },
  });
