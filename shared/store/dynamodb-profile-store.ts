import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '../domain/errors.ts';
import { identityKey, type ProfileRecord, type ProfileStore } from '../domain/profile.ts';
import type { Identity } from '../schemas/profile.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys, withoutKeys } from './keys.ts';

/**
 * A profile is one item; each identity is an item of its own (`namespace + value → profileId`), so a
 * trigger resolves recipients with one batched read. Profile and identity writes share one
 * transaction, and a new identity is claimed only if nobody owns it, so it never silently moves.
 */
export class DynamoDbProfileStore extends DynamoDbTable implements ProfileStore {
  async findOwners(sandbox: string, identities: readonly Identity[]): Promise<Map<string, string>> {
    const unique = [...new Map(identities.map((i) => [identityKey(i), i])).values()];
    const items = await this.batchGet(unique.map((i) => keys.identity(sandbox, i.namespace, i.id)));
    return new Map(
      items.map((item) => [`${String(item.namespace)}:${String(item.value)}`, String(item.profileId)]),
    );
  }

  async getMany(sandbox: string, profileIds: readonly string[]): Promise<Map<string, ProfileRecord>> {
    const items = await this.batchGet([...new Set(profileIds)].map((id) => keys.profile(sandbox, id)));
    return new Map(
      items.map((item) => {
        const { type: _type, ...record } = withoutKeys(item);
        return [String(item.profileId), record as unknown as ProfileRecord];
      }),
    );
  }

  async get(sandbox: string, profileId: string): Promise<ProfileRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.profile(sandbox, profileId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { type: _type, ...record } = withoutKeys(Item);
    return record as unknown as ProfileRecord;
  }

  async save(profile: ProfileRecord, newIdentities: readonly Identity[]): Promise<void> {
    const profileWrite =
      profile.revision === 1
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#revision = :previous',
            ExpressionAttributeNames: { '#revision': 'revision' },
            ExpressionAttributeValues: { ':previous': profile.revision - 1 },
          };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.profile(profile.sandbox, profile.profileId), type: 'profile', ...profile },
                ...profileWrite,
              },
            },
            ...newIdentities.map((identity) => ({
              Put: {
                TableName: this.tableName,
                Item: identityItem(profile, identity),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Profile ${profile.profileId}`);
      throw error;
    }
  }

  async createMany(profiles: readonly ProfileRecord[]): Promise<void> {
    if (profiles.length === 0) return;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: profiles.flatMap((profile) => [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.profile(profile.sandbox, profile.profileId), type: 'profile', ...profile },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...profile.identities.map((identity) => ({
              Put: {
                TableName: this.tableName,
                Item: identityItem(profile, identity),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          ]),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError('Profiles');
      throw error;
    }
  }

  async delete(profile: ProfileRecord): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: keys.profile(profile.sandbox, profile.profileId),
                ConditionExpression: '#revision = :revision',
                ExpressionAttributeNames: { '#revision': 'revision' },
                ExpressionAttributeValues: { ':revision': profile.revision },
              },
            },
            ...profile.identities.map((identity) => ({
              Delete: {
                TableName: this.tableName,
                Key: keys.identity(profile.sandbox, identity.namespace, identity.id),
                ConditionExpression: 'profileId = :profileId',
                ExpressionAttributeValues: { ':profileId': profile.profileId },
              },
            })),
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Profile ${profile.profileId}`);
      throw error;
    }
  }
}

function identityItem(profile: ProfileRecord, identity: Identity): Record<string, unknown> {
  return {
    ...keys.identity(profile.sandbox, identity.namespace, identity.id),
    type: 'identity',
    sandbox: profile.sandbox,
    namespace: identity.namespace,
    value: identity.id,
    profileId: profile.profileId,
    createdAt: profile.modifiedAt,
  };
}
