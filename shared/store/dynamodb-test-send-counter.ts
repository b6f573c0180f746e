import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TestSendCounter } from '../domain/test-send.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys } from './keys.ts';

/**
 * A sandbox's test sends per minute: one small item per window, counted up with a conditional
 * UpdateItem, so concurrent sends in every container keep to the one limit.
 */
export class DynamoDbTestSendCounter extends DynamoDbTable implements TestSendCounter {
  async take(sandbox: string, window: string, limit: number, expiresAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.testSendWindow(sandbox, window),
          UpdateExpression: 'ADD sends :one SET expiresAt = :expires, #type = :type',
          ConditionExpression: 'attribute_not_exists(sends) OR sends < :limit',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':expires': expiresAt,
            ':type': 'test-send-window',
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
