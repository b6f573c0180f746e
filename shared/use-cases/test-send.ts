import type { CampaignReader } from '../domain/campaign.ts';
import { CampaignNotFoundError, TestSendLimitError } from '../domain/errors.ts';
import {
  dispatchJobFor,
  type ExecutionRecord,
  type ExecutionStore,
  type MessageRecord,
  transactionalExecution,
  unitaryRun,
} from '../domain/execution.ts';
import { requestHash } from '../domain/idempotency.ts';
import { CHANNEL_DEFAULT_NAMESPACE } from '../domain/identity.ts';
import { uuidv7 } from '../domain/ids.ts';
import {
  TEST_SENDS_PER_MINUTE,
  type TestSendCounter,
  testAddress,
  testedCampaign,
  testSendWindow,
} from '../domain/test-send.ts';
import type { DispatchJob } from '../schemas/dispatch-job.ts';
import type { TestSendAccepted, TestSendInput } from '../schemas/test-send.ts';
import { acceptOnce, assertJobsFit, type ClaimDeps, claimRecord } from './claims.ts';

export interface TestSendDeps extends ClaimDeps {
  /** Read fresh, not through the trigger path's cache: a test sends the edit just saved. */
  readonly campaignRecords: CampaignReader;
  readonly executions: Pick<ExecutionStore, 'claim'>;
  readonly testSends: TestSendCounter;
}

/** How long a window's counter is kept (it only matters during its minute). */
const COUNTER_TTL_SECONDS = 3600;

/**
 * A test send. Primary course: read the campaign (any status; its draft or live content), check
 * the address against the campaign's channel, count the send in the sandbox's minute (refused past
 * TEST_SENDS_PER_MINUTE); then, as a unitary call does, write the claim with the job, an execution
 * marked `test` (not in the execution log) and its one message in one transaction, queue the job
 * and answer 202. The dispatcher sends it through the campaign's channel configuration like any
 * message, without status events (webhooks are off for it) and without metrics.
 */
export async function sendTest(
  deps: TestSendDeps,
  caller: { readonly sandbox: string; readonly keyId: string },
  campaignId: string,
  input: TestSendInput,
): Promise<TestSendAccepted> {
  const now = deps.clock.now();
  const record = await deps.campaignRecords.get(caller.sandbox, campaignId);
  if (!record) throw new CampaignNotFoundError(campaignId);
  const version = input.version ?? 'draft';
  const campaign = testedCampaign(record, version);
  const to = testAddress(campaign.channel, input.channelData);

  const executionId = uuidv7(now.getTime());
  const messageId = uuidv7(now.getTime());
  const at = now.toISOString();
  const execution: ExecutionRecord = {
    ...transactionalExecution(
      { ...campaign, enableWebhooks: false },
      caller,
      { executionId, requestId: `test-${executionId}` },
      at,
    ),
    test: true,
  };
  const job: DispatchJob = {
    ...dispatchJobFor(unitaryRun(campaign, execution), [
      {
        messageId,
        userId: to,
        namespace: CHANNEL_DEFAULT_NAMESPACE[campaign.channel],
        channelData: input.channelData,
        ...(input.sampleProfile ? { profile: input.sampleProfile } : {}),
        ...(input.context ? { context: input.context } : {}),
      },
    ]),
    enableWebhooks: false,
    test: true,
  };
  assertJobsFit({ dispatch: [job] }, 'body');

  const { window, retryAfterSeconds } = testSendWindow(now);
  const expiresAt = Math.floor(now.getTime() / 1000) + COUNTER_TTL_SECONDS;
  if (!(await deps.testSends.take(caller.sandbox, window, TEST_SENDS_PER_MINUTE, expiresAt)))
    throw new TestSendLimitError(TEST_SENDS_PER_MINUTE, retryAfterSeconds);

  const accepted: TestSendAccepted = {
    executionId,
    messageId,
    campaignId,
    version,
    test: true,
    to,
    createdAt: at,
  };
  const message: MessageRecord = {
    sandbox: caller.sandbox,
    executionId,
    messageId,
    userId: to,
    namespace: CHANNEL_DEFAULT_NAMESPACE[campaign.channel],
    status: 'queued',
    history: [{ status: 'queued', at }],
  };
  const claim = claimRecord(
    {
      sandbox: caller.sandbox,
      key: `test#${executionId}`,
      bodyHash: requestHash(input),
      executionId,
      response: accepted,
      jobs: { dispatch: [job] },
    },
    now,
  );
  return acceptOnce(
    deps,
    claim,
    executionId,
    () => deps.executions.claim(claim, execution, [message], now.getTime()),
    accepted,
  );
}
