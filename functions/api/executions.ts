import { apiHandler } from '../../shared/http/api-handler.ts';
import { parseOrThrow } from '../../shared/schemas/common.ts';
import { idempotencyKeySchema } from '../../shared/schemas/execution.ts';
import { getExecution, getRenderedMessage } from '../../shared/use-cases/executions.ts';
import { cancelSchedule, getSchedule, scheduleAudience } from '../../shared/use-cases/schedules.ts';
import { getAudienceExecution, triggerAudience } from '../../shared/use-cases/trigger-audience.ts';
import { triggerUnitary } from '../../shared/use-cases/trigger-unitary.ts';
import { containerDeps } from '../../shared/wiring.ts';

type Headers = Readonly<Record<string, string | undefined>>;
const idempotencyKey = (headers: Headers) =>
  headers['idempotency-key'] === undefined
    ? undefined
    : parseOrThrow(idempotencyKeySchema, headers['idempotency-key'], 'header.idempotency-key');

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
    triggerAudience: (request, deps) => {
      const caller = { sandbox: request.sandbox(), keyId: request.principal.keyId };
      const { schedule } = request.body;
      return schedule
        ? scheduleAudience({ ...deps, campaigns: deps.cachedCampaigns }, caller, {
            ...request.body,
            schedule,
          })
        : triggerAudience({ ...deps, campaigns: deps.cachedCampaigns }, caller, request.body);
    },
    getSchedule: (request, deps) => getSchedule(deps, request.sandbox(), request.params.scheduleId),
    cancelSchedule: (request, deps) => cancelSchedule(deps, request.sandbox(), request.params.scheduleId),
    getAudienceExecution: (request, deps) =>
      getAudienceExecution(deps, request.sandbox(), request.params.executionId),
    getExecution: (request, deps) => getExecution(deps, request.sandbox(), request.params.executionId),
    getRenderedMessage: (request, deps) =>
      getRenderedMessage(deps, request.sandbox(), request.params.executionId, request.params.messageId),
  },
});
