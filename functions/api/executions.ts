import type { HeraldConfig } from '../../shared/config.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import { parseOrThrow } from '../../shared/http/parse-request.ts';
import { executionsRoot } from '../../shared/roots/executions.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { idempotencyKeySchema } from '../../shared/schemas/execution.ts';
import { getExecution, getRenderedMessage } from '../../shared/use-cases/executions.ts';
import { listExecutions } from '../../shared/use-cases/list-executions.ts';
import {
  cancelSchedule,
  getSchedule,
  listSchedules,
  scheduleAudience,
} from '../../shared/use-cases/schedules.ts';
import { sendTest } from '../../shared/use-cases/test-send.ts';
import { getAudienceExecution, triggerAudience } from '../../shared/use-cases/trigger-audience.ts';
import { triggerHighThroughput } from '../../shared/use-cases/trigger-high-throughput.ts';
import { triggerUnitary } from '../../shared/use-cases/trigger-unitary.ts';

type Headers = Readonly<Record<string, string | undefined>>;
const idempotencyKey = (headers: Headers) =>
  headers['idempotency-key'] === undefined
    ? undefined
    : parseOrThrow(idempotencyKeySchema, headers['idempotency-key'], 'header.idempotency-key');

/** The executions function's handler, over the adapters its root builds from `config`. */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'executions',
    deps: executionsRoot(config, clients),
    operations: {
      triggerUnitary: (request, deps) => {
        const key = idempotencyKey(request.headers);
        return triggerUnitary(
          deps,
          {
            sandbox: request.sandbox(),
            keyId: request.principal.keyId,
            ...(key !== undefined ? { idempotencyKey: key } : {}),
          },
          request.body,
        );
      },
      triggerHighThroughput: (request, deps) =>
        triggerHighThroughput(
          deps,
          { sandbox: request.sandbox(), keyId: request.principal.keyId },
          request.body,
        ),
      triggerAudience: (request, deps) => {
        const caller = { sandbox: request.sandbox(), keyId: request.principal.keyId };
        const { schedule } = request.body;
        return schedule
          ? scheduleAudience(deps, caller, { ...request.body, schedule })
          : triggerAudience(deps, caller, request.body);
      },
      sendTest: (request, deps) =>
        sendTest(
          deps,
          { sandbox: request.sandbox(), keyId: request.principal.keyId },
          request.params.id,
          request.body,
        ),
      listSchedules: (request, deps) => listSchedules(deps, request.sandbox(), request.query),
      getSchedule: (request, deps) => getSchedule(deps, request.sandbox(), request.params.scheduleId),
      cancelSchedule: (request, deps) => cancelSchedule(deps, request.sandbox(), request.params.scheduleId),
      getAudienceExecution: (request, deps) =>
        getAudienceExecution(deps, request.sandbox(), request.params.executionId),
      listExecutions: (request, deps) => listExecutions(deps, request.sandbox(), request.query),
      getExecution: (request, deps) => getExecution(deps, request.sandbox(), request.params.executionId),
      getRenderedMessage: (request, deps) =>
        getRenderedMessage(deps, request.sandbox(), request.params.executionId, request.params.messageId),
    },
  });
