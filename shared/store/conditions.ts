import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** True when a write failed only because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
  }
  return false;
}

/**
 * True when a transaction lost to another write of the same items: its condition did not hold, or
 * DynamoDB cancelled it for a concurrent transaction on one of them (`TransactionConflict`). For
 * writes whose caller re-reads and tries again (profiles); never for claims, where only a failed
 * condition means "taken".
 */
export function isWriteConflict(error: unknown): boolean {
  if (isConditionFailure(error)) return true;
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}
