import type { Principal } from '../../shared/domain/auth.ts';
import { sandboxOf } from '../../shared/domain/auth.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import {
  activateCampaign,
  archiveCampaign,
  createCampaign,
  deleteCampaign,
  duplicateCampaign,
  getCampaign,
  listCampaigns,
  patchCampaign,
  stopCampaign,
} from '../../shared/use-cases/campaigns.ts';
import { containerDeps } from '../../shared/wiring.ts';

type Headers = Readonly<Record<string, string | undefined>>;
const actor = (request: { principal: Principal; headers: Headers }) => ({
  sandbox: sandboxOf(request.principal, request.headers['x-sandbox-name']),
  keyId: request.principal.keyId,
});

export const handler = apiHandler({
  group: 'campaigns',
  deps: containerDeps,
  operations: {
    createCampaign: (request, deps) => createCampaign(deps, actor(request), request.body),
    listCampaigns: (request, deps) => listCampaigns(deps, actor(request).sandbox, request.query),
    getCampaign: (request, deps) => getCampaign(deps, actor(request).sandbox, request.params.id),
    patchCampaign: (request, deps) => patchCampaign(deps, actor(request), request.params.id, request.body),
    deleteCampaign: (request, deps) => deleteCampaign(deps, actor(request).sandbox, request.params.id),
    activateCampaign: (request, deps) => activateCampaign(deps, actor(request), request.params.id),
    stopCampaign: (request, deps) => stopCampaign(deps, actor(request), request.params.id),
    archiveCampaign: (request, deps) => archiveCampaign(deps, actor(request), request.params.id),
    duplicateCampaign: (request, deps) => duplicateCampaign(deps, actor(request), request.params.id),
  },
});
