import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DispatchReader, MessageRecord } from '../domain/execution.ts';
import type { ProfileRecord } from '../domain/profile.ts';
import { BatchReader } from './batch-reader.ts';
import { suppressionLookup } from './dynamodb-suppression-store.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { messageItem, profileItem } from './items.ts';
import { keys } from './keys.ts';

/**
 * What a dispatch job reads, in one batched read (100 keys a call): its messages, its recipients'
 * profiles, and which of the addresses it already knows are suppressed. The three kinds come back
 * mixed; each item is told apart by its `type` and parsed by its own entity. The jobs of one SQS
 * batch read together: their reads of the same turn share BatchGetItem calls (`BatchReader`).
 */
export class DynamoDbDispatchReader extends DynamoDbTable implements DispatchReader {
  private readonly reader: BatchReader;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(client, tableName);
    this.reader = new BatchReader(client, tableName);
  }

  async read(
    sandbox: string,
    executionId: string,
    ask: Parameters<DispatchReader['read']>[2],
  ): ReturnType<DispatchReader['read']> {
    const messageRefs = [...new Map(ask.messages.map((ref) => [ref.messageId, ref])).values()];
    const profileIds = [...new Set(ask.profileIds)];
    const suppressions = suppressionLookup(sandbox, ask.channel, ask.addresses);
    const items = await this.reader.read([
      ...messageRefs.map((ref) => keys.message(sandbox, executionId, ref.messageId, ref.shard)),
      ...profileIds.map((id) => keys.profile(sandbox, id)),
      ...suppressions.keys,
    ]);
    const messages = new Map<string, MessageRecord>();
    const profiles = new Map<string, ProfileRecord>();
    const suppressed = new Set<string>();
    for (const item of items) {
      if (item.type === messageItem.kind) {
        const message = messageItem.parse(item);
        messages.set(message.messageId, message);
      } else if (item.type === profileItem.kind) {
        const profile = profileItem.parse(item);
        profiles.set(profile.profileId, profile);
      } else {
        // Only suppression items are left.
        const address = suppressions.addressOf(item);
        if (address !== undefined) suppressed.add(address);
      }
    }
    return { messages, profiles, suppressed };
  }
}
