import { apiHandler } from '../../shared/http/api-handler.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { containerDeps } from '../../shared/wiring.ts';

let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = apiHandler({
  group: 'system',
  deps: containerDeps,
  operations: {
    health: async (_request, deps) => ({ status: 'ok', time: deps.clock.now().toISOString() }),
    openapi: async () => {
      document ??= openApiDocument();
      return document;
    },
  },
});
