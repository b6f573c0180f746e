import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignRecord, CampaignStore } from '../domain/campaign.ts';
import { ConcurrentUpdateError } from '../domain/errors.ts';
import type { Page } from '../domain/page.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { revisionCondition } from './entity.ts';
import { campaignDueItem, campaignItem } from './items.ts';
import { DUE_PARTITION, keys } from './keys.ts';

/**
 * Campaigns live in their sandbox's partition, with a pending draft version inline (so activation
 * swaps it in with one conditional write). A campaign waiting for a start or end date is also in the
 * sparse `due` index, which the scheduler reads.
 */
export class DynamoDbCampaignStore extends DynamoDbTable implements CampaignStore {
  async create(record: CampaignRecord): Promise<void> {
    await this.createRecord(campaignItem, record);
  }

  async get(sandbox: string, id: string): Promise<CampaignRecord | undefined> {
    return this.getRecord(campaignItem, keys.campaign(sandbox, id));
  }

  async save(record: CampaignRecord): Promise<void> {
    await this.saveRecord(campaignItem, record);
  }

  async delete(sandbox: string, id: string, revision: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.campaign(sandbox, id),
          ...revisionCondition(revision),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Campaign ${id}`);
      throw error;
    }
  }

  async list(sandbox: string, page: { limit: number; cursor?: string }): Promise<Page<CampaignRecord>> {
    return this.pageRecords(campaignItem, keys.campaigns(sandbox), page);
  }

  async listDue(now: Date, limit: number): Promise<{ sandbox: string; id: string }[]> {
    return (await this.queryDue(DUE_PARTITION, now, limit)).map((item) => campaignDueItem.parse(item));
  }
}
