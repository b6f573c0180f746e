import type { ChannelProvider } from '../domain/channel.ts';
import { NotFoundError, RenderedMessageNotFoundError } from '../domain/errors.ts';
import type { ExecutionStore } from '../domain/execution.ts';

export interface ExecutionReadDeps {
  readonly executions: ExecutionStore;
  readonly provider: ChannelProvider;
}

/** An execution with each recipient's status and history. */
export async function getExecution(deps: ExecutionReadDeps, sandbox: string, executionId: string) {
  const found = await deps.executions.getExecution(sandbox, executionId);
  if (!found) throw new NotFoundError('Execution', executionId);
  // enableWebhooks is the provider-events worker's to read, not part of the API's answer.
  const { sandbox: _sandbox, enableWebhooks: _webhooks, ...execution } = found.execution;
  return {
    ...execution,
    recipients: found.messages.map(
      ({ sandbox: _s, executionId: _e, address: _a, providerEvents: _p, ...message }) => message,
    ),
  };
}

/** The rendered copy of one message, kept by the sandbox provider. */
export async function getRenderedMessage(
  deps: ExecutionReadDeps,
  sandbox: string,
  executionId: string,
  messageId: string,
) {
  const message = await deps.executions.getMessage(sandbox, executionId, messageId);
  if (!message) throw new NotFoundError('Message', messageId);
  const rendered = await deps.provider.rendered?.(sandbox, messageId);
  if (!rendered || rendered.executionId !== executionId) throw new RenderedMessageNotFoundError(messageId);
  return rendered;
}
