import type { CampaignReader } from '../domain/campaign.ts';
import { CampaignNotFoundError, type FieldIssue, InvalidChannelDataError } from '../domain/errors.ts';
import {
  acceptedAnswer,
  assertHighThroughputTriggerable,
  transactionalExecution,
  transactionalJob,
} from '../domain/execution.ts';
import { requestHash } from '../domain/idempotency.ts';
import { normalizeEmail } from '../domain/identity.ts';
import { derivedUuid } from '../domain/ids.ts';
import { checkUnitaryRecipients, phoneValues } from '../domain/recipients.ts';
import type { SandboxReader } from '../domain/sandbox.ts';
import type { DispatchJob } from '../schemas/dispatch-job.ts';
import type {
  ExecutionAccepted,
  HighThroughputExecutionInput,
  UnitaryExecutionInput,
} from '../schemas/execution.ts';
import { assertJobsFit, type ClaimDeps } from './claims.ts';
import { identityOptions } from './sandbox-settings.ts';

export interface HighThroughputDeps extends Pick<ClaimDeps, 'jobs' | 'clock'> {
  /** Cached per container: the request path reads no item per call. */
  readonly campaigns: CampaignReader;
  readonly sandboxSettings: SandboxReader;
}

/** The execution of a high-throughput request: the same for every call with that requestId. */
export const highThroughputExecutionId = (sandbox: string, requestId: string) =>
  derivedUuid(`highthroughput\u0000${sandbox}\u0000${requestId}`);

/** A recipient's message in it: the same for every delivery of the call's job. */
const messageIdOf = (executionId: string, userId: string) => derivedUuid(`${executionId}\u0000${userId}`);

/**
 * A high-throughput trigger (the reference system's 5,000-calls/s mode). Primary course: check
 * the campaign (from the per-container cache), the recipients and their addresses, and that the
 * job fits; queue one dispatch job; answer 202. That enqueue is the request's only store or queue
 * call: the execution and its messages are written by the dispatcher, once (ADR 0018), and their
 * ids derive from the requestId, so a call sent again answers the same executionId and sends
 * nothing new.
 */
export async function triggerHighThroughput(
  deps: HighThroughputDeps,
  caller: { readonly sandbox: string; readonly keyId: string },
  input: HighThroughputExecutionInput,
): Promise<ExecutionAccepted> {
  const now = deps.clock.now();
  const campaign = await deps.campaigns.get(caller.sandbox, input.campaignId);
  if (!campaign) throw new CampaignNotFoundError(input.campaignId);
  assertHighThroughputTriggerable(campaign, now);
  // The unitary rules (count, namespace, userId form, phone numbers, duplicates, context) as for
  // external recipients, whose namespace here defaults to the campaign's.
  const asUnitary: UnitaryExecutionInput = {
    requestId: input.requestId,
    campaignId: input.campaignId,
    recipients: input.recipients.map(({ namespace, ...recipient }) => ({
      ...recipient,
      namespace: namespace ?? campaign.identityNamespace,
    })),
  };
  const options = await identityOptions(deps.sandboxSettings, caller.sandbox, phoneValues(asUnitary));
  const recipients = checkUnitaryRecipients(asUnitary, campaign, options);
  assertEmailAddresses(recipients.map((r) => r.channelData?.emailAddress));

  const executionId = highThroughputExecutionId(caller.sandbox, input.requestId);
  const at = now.toISOString();
  const execution = transactionalExecution(campaign, caller, { executionId, requestId: input.requestId }, at);
  const messageIds = recipients.map((r) => messageIdOf(executionId, r.userId));
  const job: DispatchJob = {
    ...transactionalJob(campaign, execution, recipients, messageIds),
    highThroughput: { createdAt: at, createdBy: caller.keyId, bodyHash: requestHash(input) },
  };
  assertJobsFit({ dispatch: [job] }, 'body.recipients');
  await deps.jobs.send({ dispatch: [job] });
  return acceptedAnswer(execution);
}

/** A malformed email address is refused in the call (nothing is queued), not excluded after the 202. */
function assertEmailAddresses(addresses: readonly (string | undefined)[]): void {
  const issues: FieldIssue[] = [];
  addresses.forEach((address, i) => {
    if (address === undefined) return;
    const normalized = normalizeEmail(address);
    if (!normalized.ok)
      issues.push({ path: `body.recipients[${i}].channelData.emailAddress`, message: normalized.message });
  });
  if (issues.length > 0) throw new InvalidChannelDataError(issues);
}
