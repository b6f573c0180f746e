import type { HeraldConfig } from '../../shared/config.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import { channelsRoot } from '../../shared/roots/channels.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import {
  createChannelConfiguration,
  deleteChannelConfiguration,
  getChannelConfiguration,
  listChannelConfigurations,
  patchChannelConfiguration,
} from '../../shared/use-cases/channel-configurations.ts';

/** The channels function's handler, over the adapters its root builds from `config`. */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'channels',
    deps: channelsRoot(config, clients),
    operations: {
      createChannelConfiguration: (request, deps) =>
        createChannelConfiguration(deps, request.sandbox(), request.body),
      listChannelConfigurations: async (request, deps) => ({
        items: await listChannelConfigurations(deps, request.sandbox()),
      }),
      getChannelConfiguration: (request, deps) =>
        getChannelConfiguration(deps, request.sandbox(), request.params.id),
      patchChannelConfiguration: (request, deps) =>
        patchChannelConfiguration(deps, request.sandbox(), request.params.id, request.body),
      deleteChannelConfiguration: (request, deps) =>
        deleteChannelConfiguration(deps, request.sandbox(), request.params.id),
    },
  });
