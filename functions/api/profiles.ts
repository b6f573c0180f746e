import { apiHandler } from '../../shared/http/api-handler.ts';
import { deleteProfile, getProfile, upsertProfile } from '../../shared/use-cases/profiles.ts';
import { containerDeps } from '../../shared/wiring.ts';

export const handler = apiHandler({
  group: 'profiles',
  deps: containerDeps,
  operations: {
    upsertProfile: (request, deps) => upsertProfile(deps, request.sandbox(), request.body),
    getProfile: (request, deps) =>
      getProfile(deps, request.sandbox(), request.params.namespace, request.params.id),
    deleteProfile: (request, deps) =>
      deleteProfile(deps, request.sandbox(), request.params.namespace, request.params.id),
  },
});
