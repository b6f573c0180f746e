import { type ApiRequest, apiHandler } from '../../shared/http/api-handler.ts';
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

const actor = (request: Pick<ApiRequest, 'principal' | 'sandbox'>) => ({
  sandbox: request.sandbox(),
  keyId: request.principal.keyId,
});

export const handler = apiHandler({
  group: 'campaigns',
  deps: containerDeps,
  operations: {
    createCampaign: (request, deps) => createCampaign(deps, actor(request), request.body),
    listCampaigns: (request, deps) => listCampaigns(deps, request.sandbox(), request.query),
    getCampaign: (request, deps) => getCampaign(deps, request.sandbox(), request.params.id),
    patchCampaign: (request, deps) => patchCampaign(deps, actor(request), request.params.id, request.body),
    deleteCampaign: (request, deps) => deleteCampaign(deps, request.sandbox(), request.params.id),
    activateCampaign: (request, deps) => activateCampaign(deps, actor(request), request.params.id),
    stopCampaign: (request, deps) => stopCampaign(deps, actor(request), request.params.id),
    archiveCampaign: (request, deps) => archiveCampaign(deps, actor(request), request.params.id),
    duplicateCampaign: (request, deps) => duplicateCampaign(deps, actor(request), request.params.id),
  },
});
