import { SNSClient, type SNSClientConfig, SNSServiceException } from '@aws-sdk/client-sns';
import { optedOut, type SendOutcome, unanswered } from '../domain/channel.ts';
import { clipReason } from '../domain/email.ts';

/**
 * An SNS client for sending SMS and push: created once per container. The SDK's own retries are
 * off (`maxAttempts: 1`) for the reason SES's are (ses-provider.ts): Publish has no idempotency
 * token for SMS or mobile endpoints, so an SDK retry after a timeout could send twice without
 * Herald knowing; Herald's job retries instead. The endpoint comes from `AWS_ENDPOINT_URL_SNS`
 * when set (moto locally).
 */
export function createSnsClient(config: SNSClientConfig = {}): SNSClient {
  return new SNSClient({ maxAttempts: 1, ...config });
}

/** SNS answers that mean "slow down": nothing was sent, the job is retried with backoff. */
const THROTTLING = new Set(['ThrottledException', 'KMSThrottlingException']);

/**
 * Maps an SNS error (or any error of the call) to Herald's outcome. `bounce` names the errors
 * that mean this address can never be reached (a disabled or invalid push endpoint); everything
 * else SNS refuses is an `error` (configuration, account, message), the address stays usable.
 */
export function snsOutcome(error: unknown, bounce: ReadonlySet<string> = new Set()): SendOutcome {
  if (error instanceof SNSServiceException) {
    const code = `sns-${error.name}`;
    const reason = clipReason(error.message || error.name);
    if (THROTTLING.has(error.name)) return { kind: 'retry-later', code, reason, throttled: true };
    if (error.name === 'OptedOutException') return optedOut(code, reason);
    if (error.name === 'InternalErrorException' || error.$fault === 'server')
      return { kind: 'retry-later', code, reason, throttled: false, providerDown: true };
    return { kind: 'failed', status: bounce.has(error.name) ? 'bounce' : 'error', code, reason };
  }
  // No answer from the service (network, timeout, credentials): nothing is known to be sent.
  return unanswered('sns', error);
}
