import type { HeraldConfig } from '../../shared/config.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { systemRoot } from '../../shared/roots/system.ts';
import { whoami } from '../../shared/use-cases/whoami.ts';

let document: ReturnType<typeof openApiDocument> | undefined;

/** The system function's handler, over the adapters its root builds from `config`. */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'system',
    deps: systemRoot(config, clients),
    operations: {
      health: async (_request, deps) => ({ status: 'ok', time: deps.clock.now().toISOString() }),
      whoami: async (request) => whoami(request.principal),
      openapi: async () => {
        document ??= openApiDocument();
        return document;
      },
    },
  });
