import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '../domain/errors.ts';
import { identityKey } from '../domain/identity.ts';
import type { ProfileRecord, ProfileStore } from '../domain/profile.ts';
import type { Identity } from '../schemas/profile.ts';
import { isWriteConflict } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { revisionCondition } from './entity.ts';
import { identityItem, profileItem } from './items.ts';
import { keys } from './keys.ts';

/**
 * A profile is one item; each identity is an item of its own (`namespace + value → profileId`), so a
 * trigger resolves recipients with one batched read. Profile and identity writes share one
 * transaction, and a new identity is claimed only if nobody owns it, so it never silently moves.
 */
export class DynamoDbProfileStore extends DynamoDbTable implements ProfileStore {
  async findOwners(sandbox: string, identities: readonly Identity[]): Promise<Map<string, string>> {
    const unique = [...new Map(identities.map((i) => [identityKey(i), i])).values()];
    const owners = await this.getRecords(
      identityItem,
      unique.map((i) => keys.identity(sandbox, i.namespace, i.id)),
    );
    return new Map(owners.map((owner) => [`${owner.namespace}:${owner.value}`, owner.profileId]));
  }

  async getMany(sandbox: string, profileIds: readonly string[]): Promise<Map<string, ProfileRecord>> {
    const profiles = await this.getRecords(
      profileItem,
      [...new Set(profileIds)].map((id) => keys.profile(sandbox, id)),
    );
    return new Map(profiles.map((profile) => [profile.profileId, profile]));
  }

  async get(sandbox: string, profileId: string): Promise<ProfileRecord | undefined> {
    return this.getRecord(profileItem, keys.profile(sandbox, profileId));
  }

  async save(profile: ProfileRecord, newIdentities: readonly Identity[]): Promise<void> {
    await this.writeProfiles(
      [{ profile, previous: profile.revision === 1 ? 'absent' : profile.revision - 1, newIdentities }],
      this.conflict(profileItem, profile),
    );
  }

  async createMany(profiles: readonly ProfileRecord[]): Promise<void> {
    if (profiles.length === 0) return;
    await this.writeProfiles(
      profiles.map((profile) => ({ profile, previous: 'absent', newIdentities: profile.identities })),
      new ConcurrentUpdateError('Profiles'),
    );
  }

  /**
   * Writes profiles and claims their new identities in one transaction: each profile at its
   * expected revision, each identity only if nobody owns it; `conflict` otherwise.
   */
  private async writeProfiles(
    writes: readonly {
      profile: ProfileRecord;
      previous: number | 'absent';
      newIdentities: readonly Identity[];
    }[],
    conflict: ConcurrentUpdateError,
  ): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: writes.flatMap(({ profile, previous, newIdentities }) => [
            { Put: this.putOf(profileItem, profile, previous) },
            ...newIdentities.map((identity) => ({
              Put: this.putOf(
                identityItem,
                {
                  sandbox: profile.sandbox,
                  namespace: identity.namespace,
                  value: identity.id,
                  profileId: profile.profileId,
                  createdAt: profile.modifiedAt,
                },
                'absent',
              ),
            })),
          ]),
        }),
      );
    } catch (error) {
      if (isWriteConflict(error)) throw conflict;
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
                ...revisionCondition(profile.revision),
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
      if (isWriteConflict(error)) throw this.conflict(profileItem, profile);
      throw error;
    }
  }
}
