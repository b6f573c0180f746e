import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelProvider, OutgoingMessage, SendAccepted } from '../domain/channel.ts';
import type { RenderedMessageView } from '../schemas/execution.ts';
import { BatchWriter } from '../store/batch-writer.ts';
import { DynamoDbTable } from '../store/dynamodb-table.ts';
import { keys } from '../store/keys.ts';
import { simulatedEvents } from './sandbox-simulator.ts';

/** Sandbox copies are kept this long (they hold personal data). */
const OUTBOX_RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * The default channel provider: nothing leaves the machine. Each message is stored once (keyed by
 * its id, so a redelivered job writes the same item again rather than a second one) and its
 * statuses are simulated from the address (see sandbox-simulator.ts). The copies of a job's
 * messages, sent side by side, go out in one BatchWriteItem (ADR 0030).
 */
export class SandboxProvider extends DynamoDbTable implements ChannelProvider {
  readonly name = 'sandbox';
  readonly idempotent = true;
  private readonly writer: BatchWriter;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(client, tableName);
    this.writer = new BatchWriter(client, tableName);
  }

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
    // Already sent by an earlier delivery of the same job: the same copy is written over it and
    // the same outcome reported again.
    await this.writer.write({
      puts: [
        {
          ...keys.outbox(message.sandbox, message.messageId),
          type: 'outbox',
          ...copy,
          expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
        },
      ],
      deletes: [],
    });
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
