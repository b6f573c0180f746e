import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  DeleteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AudienceRecord, AudienceStore } from '../domain/audience.ts';
import { MEMBER_SHARDS, memberShard } from '../domain/audience.ts';
import type { Page } from '../domain/page.ts';
import type { ImportProgress } from '../schemas/audience.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { audienceItem, importItem, memberItem } from './items.ts';
import { keys } from './keys.ts';
import { queryAll, queryPages } from './query-all.ts';

type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

const shards = () => Array.from({ length: MEMBER_SHARDS }, (_, shard) => shard);

export class DynamoDbAudienceStore extends DynamoDbTable implements AudienceStore {
  async create(audience: AudienceRecord): Promise<void> {
    await this.createRecord(audienceItem, audience);
  }

  async get(sandbox: string, id: string): Promise<AudienceRecord | undefined> {
    return this.getRecord(audienceItem, keys.audience(sandbox, id));
  }

  async list(sandbox: string): Promise<AudienceRecord[]> {
    return this.listRecords(audienceItem, keys.audiences(sandbox));
  }

  async save(audience: AudienceRecord): Promise<void> {
    await this.saveRecord(audienceItem, audience);
  }

  async delete(sandbox: string, id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.audience(sandbox, id) }));
    await Promise.all(
      shards().map(async (shard) => {
        const { pk, prefix } = keys.memberShard(sandbox, id, shard);
        const items = await queryAll(this.client, this.tableName, pk, prefix);
        await this.batchWrite(
          items.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
        );
      }),
    );
  }

  async addMembers(
    sandbox: string,
    audienceId: string,
    profileIds: readonly string[],
    at: string,
  ): Promise<void> {
    await this.batchWrite(
      [...new Set(profileIds)].map((profileId) => ({
        PutRequest: {
          Item: {
            ...keys.member(sandbox, audienceId, memberShard(profileId), profileId),
            type: 'member',
            profileId,
            addedAt: at,
          },
        },
      })),
    );
  }

  async removeMembers(sandbox: string, audienceId: string, profileIds: readonly string[]): Promise<number> {
    const memberKeys = [...new Set(profileIds)].map((id) =>
      keys.member(sandbox, audienceId, memberShard(id), id),
    );
    const present = (await this.batchGet(memberKeys, 'pk')).length;
    await this.batchWrite(memberKeys.map((key) => ({ DeleteRequest: { Key: key } })));
    return present;
  }

  async membersPage(
    sandbox: string,
    audienceId: string,
    shard: number,
    page: { limit: number; cursor?: string },
  ): Promise<{ profileIds: string[]; nextCursor?: string }> {
    const members = await this.pageRecords(memberItem, keys.memberShard(sandbox, audienceId, shard), page, {
      consistent: true,
    });
    return {
      profileIds: members.items.map((member) => member.profileId),
      ...(members.nextCursor ? { nextCursor: members.nextCursor } : {}),
    };
  }

  async listMembers(
    sandbox: string,
    audienceId: string,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<string>> {
    const found = await this.pageShardsInTurn(
      memberItem,
      MEMBER_SHARDS,
      (shard) => keys.memberShard(sandbox, audienceId, shard),
      (member) => keys.member(sandbox, audienceId, memberShard(member.profileId), member.profileId).sk,
      page,
    );
    return { ...found, items: found.items.map((member) => member.profileId) };
  }

  async membershipsOf(sandbox: string, profileId: string, audienceIds: readonly string[]) {
    const shard = memberShard(profileId);
    const items = await this.batchGet(
      audienceIds.map((audienceId) => keys.member(sandbox, audienceId, shard, profileId)),
      'pk',
    );
    const byKey = new Map(audienceIds.map((id) => [keys.member(sandbox, id, shard, profileId).pk, id]));
    return new Set(items.flatMap((item) => byKey.get(String(item.pk)) ?? []));
  }

  async countMembers(sandbox: string, audienceId: string): Promise<number> {
    const counts = await Promise.all(
      shards().map(async (shard) => {
        const { pk } = keys.memberShard(sandbox, audienceId, shard);
        let count = 0;
        await queryPages(
          this.client,
          {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            Select: 'COUNT',
          },
          (page) => {
            count += page.Count ?? 0;
          },
        );
        return count;
      }),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async getImport(sandbox: string, importId: string) {
    const stored = await this.getRecord(importItem, keys.audienceImport(sandbox, importId));
    if (!stored) return undefined;
    const { sandbox: _sandbox, ...progress } = stored;
    return progress;
  }

  async saveImport(sandbox: string, progress: ImportProgress & { revision: number }): Promise<void> {
    const { revision } = progress;
    await this.saveRecord(importItem, { ...progress, sandbox }, revision === 0 ? 'absent' : revision - 1);
  }

  /** BatchWriteItem, 25 requests a call, retrying what DynamoDB leaves unprocessed. */
  private async batchWrite(requests: WriteRequests): Promise<void> {
    for (let start = 0; start < requests.length; start += 25) {
      let pending: WriteRequests | undefined = requests.slice(start, start + 25);
      while (pending && pending.length > 0) {
        const result: BatchWriteCommandOutput = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = result.UnprocessedItems?.[this.tableName];
      }
    }
  }
}
