import type { HeraldConfig } from '../../shared/config.ts';
import { type ApiRequest, apiHandler } from '../../shared/http/api-handler.ts';
import { campaignsRoot } from '../../shared/roots/campaigns.ts';
import type { Clients } from '../../shared/roots/parts.ts';
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
import { previewContent } from '../../shared/use-cases/preview.ts';

const actor = (request: Pick<ApiRequest, 'principal' | 'sandbox'>) => ({
  sandbox: request.sandbox(),
  keyId: request.principal.keyId,
});

/** The campaigns function's handler, over the adapters its root builds from `config`. */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'campaigns',
    deps: campaignsRoot(config, clients),
    operations: {
      createCampaign: (request, deps) => createCampaign(deps, actor(request), request.body),
      listCampaigns: (request, deps) => listCampaigns(deps, request.sandbox(), request.query),
      previewContent: (request, deps) => previewContent(deps, request.sandbox(), request.body),
      getCampaign: (request, deps) => getCampaign(deps, request.sandbox(), request.params.id),
      patchCampaign: (request, deps) => patchCampaign(deps, actor(request), request.params.id, request.body),
      deleteCampaign: (request, deps) => deleteCampaign(deps, request.sandbox(), request.params.id),
      activateCampaign: (request, deps) => activateCampaign(deps, actor(request), request.params.id),
      stopCampaign: (request, deps) => stopCampaign(deps, actor(request), request.params.id),
      archiveCampaign: (request, deps) => archiveCampaign(deps, actor(request), request.params.id),
      duplicateCampaign: (request, deps) => duplicateCampaign(deps, actor(request), request.params.id),
    },
  });
