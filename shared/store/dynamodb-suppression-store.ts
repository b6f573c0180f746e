import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SuppressionStore } from '../ports.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys } from './keys.ts';

/** The sandbox's suppression list: one item per channel and address, read per message at dispatch. */
export class DynamoDbSuppressionStore extends DynamoDbTable implements SuppressionStore {
  async isSuppressed(sandbox: string, channel: string, address: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.suppression(sandbox, channel, address),
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  async suppress(
    sandbox: string,
    channel: string,
    address: string,
    reason: { code: string; messageId: string; at: string },
  ): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.suppression(sandbox, channel, address),
          type: 'suppression',
          sandbox,
          channel,
          address,
          ...reason,
        },
      }),
    );
  }
}
