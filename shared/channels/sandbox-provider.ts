import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelProvider, OutgoingMessage, SendAccepted } from '../domain/channel.ts';
import type { RenderedMessageView } from '../schemas/execution.ts';
import { isConditionFailure } from '../store/conditions.ts';
import { DynamoDbTable } from '../store/dynamodb-table.ts';
import { keys } from '../store/keys.ts';
import { simulatedEvents } from './sandbox-simulator.ts';

/** Sandbox copies are kept this long (they hold personal data). */
const OUTBOX_RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * The default channel provider: nothing leaves the machine. Each message is stored once (keyed by
 * its id, so a redelivered job does not store it twice) and its statuses are simulated from the
 * address (see sandbox-simulator.ts).
 */
export class SandboxProvider extends DynamoDbTable implements ChannelProvider {
  readonly name = 'sandbox';
  readonly idempotent = true;
  async send(message: OutgoingMessage, now: Date): Promise<SendAccepted> {
    const providerMessageId = `sandbox-${message.messageId}`;
    const copy: RenderedMessageView = {
      messageId: message.messageId,
      executionId: message.executionId,
      channel: message.channel,
      to: message.to,
      ...message.content,
      ...(message.headers ? { headers: { ...message.headers } } : {}),
      providerMessageId,
      sentAt: now.toISOString(),
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.outbox(message.sandbox, message.messageId),
            type: 'outbox',
            ...copy,
            expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Already sent by an earlier delivery of the same job: report the same outcome again.
      if (!isConditionFailure(error)) throw error;
    }
    return { kind: 'accepted', providerMessageId, events: simulatedEvents(message.channel, message.to) };
  }

  async rendered(sandbox: string, messageId: string): Promise<RenderedMessageView | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.outbox(sandbox, messageId) }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, type: _type, expiresAt: _expiresAt, ...view } = Item;
    return view as RenderedMessageView;
  }
}
