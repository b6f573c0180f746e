import { apiHandler } from '../../shared/http/api-handler.ts';
import { getExecution, getRenderedMessage } from '../../shared/use-cases/executions.ts';
import { triggerUnitary } from '../../shared/use-cases/trigger-unitary.ts';
import { containerDeps } from '../../shared/wiring.ts';

type Headers = Readonly<Record<string, string | undefined>>;
const idempotencyKey = (headers: Headers) => headers['idempotency-key'];

export const handler = apiHandler({
  group: 'executions',
  deps: containerDeps,
  operations: {
    triggerUnitary: (request, deps) => {
      const key = idempotencyKey(request.headers);
      return triggerUnitary(
        { ...deps, campaigns: deps.cachedCampaigns },
        {
          sandbox: request.sandbox(),
          keyId: request.principal.keyId,
          ...(key !== undefined ? { idempotencyKey: key } : {}),
        },
        request.body,
      );
    },
    getExecution: (request, deps) => getExecution(deps, request.sandbox(), request.params.executionId),
    getRenderedMessage: (request, deps) =>
      getRenderedMessage(deps, request.sandbox(), request.params.executionId, request.params.messageId),
  },
});
