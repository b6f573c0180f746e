import { suppressionSlot } from '../domain/channel.ts';
import { ValidationError } from '../domain/errors.ts';
import { shardOf } from './sharded-listing.ts';

/**
 * Key layout of the single table. Every item of a sandbox has a key that starts with the sandbox,
 * so no query can cross sandboxes; profiles and identities get a partition each, spreading load.
 */
export const keys = {
  sandbox: (name: string) => ({ pk: 'SANDBOXES', sk: `SANDBOX#${name}` }),
  sandboxes: () => ({ pk: 'SANDBOXES', prefix: 'SANDBOX#' }),
  apiKeyByHash: (hash: string) => ({ pk: `APIKEYHASH#${hash}`, sk: 'APIKEY' }),
  /** The root keys live under ROOT; sandbox keys under their sandbox. */
  apiKey: (owner: string | null, id: string) => ({
    pk: owner === null ? 'ROOT' : `SB#${owner}`,
    sk: `APIKEY#${id}`,
  }),
  apiKeys: (owner: string | null) => ({ pk: owner === null ? 'ROOT' : `SB#${owner}`, prefix: 'APIKEY#' }),
  namespace: (sandbox: string, code: string) => ({ pk: `SB#${sandbox}`, sk: `NAMESPACE#${code}` }),
  namespaces: (sandbox: string) => ({ pk: `SB#${sandbox}`, prefix: 'NAMESPACE#' }),
  campaign: (sandbox: string, id: string) => ({ pk: `SB#${sandbox}`, sk: `CAMPAIGN#${id}` }),
  campaigns: (sandbox: string) => ({ pk: `SB#${sandbox}`, prefix: 'CAMPAIGN#' }),
  profile: (sandbox: string, profileId: string) => ({
    pk: `SB#${sandbox}#PROFILE#${profileId}`,
    sk: 'PROFILE',
  }),
  identity: (sandbox: string, namespace: string, value: string) => ({
    pk: `SB#${sandbox}#IDENTITY#${namespace}#${value}`,
    sk: 'IDENTITY',
  }),
  idempotency: (sandbox: string, key: string) => ({ pk: `SB#${sandbox}#IDEM#${key}`, sk: 'IDEM' }),
  execution: (sandbox: string, executionId: string) => ({
    pk: `SB#${sandbox}#EXEC#${executionId}`,
    sk: 'EXEC',
  }),
  /** One sandbox's execution log, in EXECUTION_LOG_SHARDS partitions, sorted by creation time. */
  executionLog: (sandbox: string, shard: number, position: string) => ({
    pk: `SB#${sandbox}#EXECLOG#${shard}`,
    sk: position,
  }),
  executionLogShard: (sandbox: string, shard: number) => ({
    pk: `SB#${sandbox}#EXECLOG#${shard}`,
    prefix: '',
  }),
  /** Audience executions spread their messages over shards (`shard`); unitary ones keep one partition. */
  message: (sandbox: string, executionId: string, messageId: string, shard?: number) => ({
    pk: `SB#${sandbox}#EXEC#${executionId}${shard === undefined ? '' : `#${shard}`}`,
    sk: `MSG#${messageId}`,
  }),
  /**
   * A message's place in the sparse `profileMessages` index: its profile's partition, sorted by
   * creation time (attributes of the message item, not an item of their own; ADR 0029).
   */
  profileMessage: (sandbox: string, profileId: string, createdAt: string, messageId: string) => ({
    profileMsgPk: `SB#${sandbox}#PMSG#${profileId}`,
    profileMsgSk: `${createdAt}#${messageId}`,
  }),
  audienceExecution: (sandbox: string, executionId: string) => ({
    pk: `SB#${sandbox}#AEXEC#${executionId}`,
    sk: 'AEXEC',
  }),
  /** The throttle ledger of an audience execution: the next free send slot. */
  throttleLedger: (sandbox: string, executionId: string) => ({
    pk: `SB#${sandbox}#AEXEC#${executionId}`,
    sk: 'LEDGER',
  }),
  suppression: (sandbox: string, channel: string, address: string) => ({
    pk: `SB#${sandbox}#SUPPRESSION#${channel}#${address}`,
    sk: 'SUPPRESSION',
  }),
  /**
   * A suppression's entry in the sandbox's listing for its channel, spread over
   * SUPPRESSION_SHARDS partitions by address, sorted by the address's hash (the lookup item above
   * stays the one sends read).
   */
  suppressionEntry: (sandbox: string, channel: string, address: string) => {
    const { shard, hash } = suppressionSlot(address);
    return { pk: `SB#${sandbox}#SUPPRESSIONS#${channel}#${shard}`, sk: hash };
  },
  suppressionShard: (sandbox: string, channel: string, shard: number) => ({
    pk: `SB#${sandbox}#SUPPRESSIONS#${channel}#${shard}`,
    prefix: '',
  }),
  outbox: (sandbox: string, messageId: string) => ({ pk: `SB#${sandbox}#OUTBOX#${messageId}`, sk: 'OUTBOX' }),
  audience: (sandbox: string, id: string) => ({ pk: `SB#${sandbox}`, sk: `AUDIENCE#${id}` }),
  audiences: (sandbox: string) => ({ pk: `SB#${sandbox}`, prefix: 'AUDIENCE#' }),
  /** Membership is spread over MEMBER_SHARDS partitions, so a large audience is read in parallel. */
  member: (sandbox: string, audienceId: string, shard: number, profileId: string) => ({
    pk: `SB#${sandbox}#AUD#${audienceId}#${shard}`,
    sk: `M#${profileId}`,
  }),
  memberShard: (sandbox: string, audienceId: string, shard: number) => ({
    pk: `SB#${sandbox}#AUD#${audienceId}#${shard}`,
    prefix: 'M#',
  }),
  schedule: (sandbox: string, scheduleId: string) => ({
    pk: `SB#${sandbox}#SCHED#${scheduleId}`,
    sk: 'SCHEDULE',
  }),
  /** A schedule's entry in its sandbox's listing, newest last (one partition: schedules are few). */
  scheduleRef: (sandbox: string, createdAt: string, scheduleId: string) => ({
    pk: `SB#${sandbox}#SCHEDULES`,
    sk: `${createdAt}#${scheduleId}`,
  }),
  schedules: (sandbox: string) => ({ pk: `SB#${sandbox}#SCHEDULES`, prefix: '' }),
  audienceImport: (sandbox: string, importId: string) => ({
    pk: `SB#${sandbox}#AUDIMPORT#${importId}`,
    sk: 'IMPORT',
  }),
  webhook: (sandbox: string, id: string) => ({ pk: `SB#${sandbox}`, sk: `WEBHOOK#${id}` }),
  webhooks: (sandbox: string) => ({ pk: `SB#${sandbox}`, prefix: 'WEBHOOK#' }),
  delivery: (sandbox: string, webhookId: string, eventId: string) => ({
    pk: `SB#${sandbox}#WHD#${webhookId}#${eventId}`,
    sk: 'DELIVERY',
  }),
  /**
   * A webhook's attempt log, in WEBHOOK_LOG_SHARDS partitions by a hash of the event id (ADR 0022);
   * sort key `<at>#<eventId>#<attempt>`, read newest first by merging the shards.
   */
  attempts: (sandbox: string, webhookId: string, shard: number) => ({
    pk: `SB#${sandbox}#WHATT#${webhookId}#${shard}`,
    prefix: '',
  }),
  /** A webhook's deliveries that exhausted their retries, sharded as its attempt log; sk `<createdAt>#<eventId>`. */
  failedDeliveries: (sandbox: string, webhookId: string, shard: number) => ({
    pk: `SB#${sandbox}#WHFAIL#${webhookId}#${shard}`,
    prefix: '',
  }),
  /**
   * The single partitions the attempt log and failed list had before ADR 0022. Nothing writes them;
   * reads include them until their items expire (RETENTION_SECONDS after the upgrade).
   */
  unshardedAttempts: (sandbox: string, webhookId: string) => ({
    pk: `SB#${sandbox}#WHATT#${webhookId}`,
    prefix: '',
  }),
  unshardedFailedDeliveries: (sandbox: string, webhookId: string) => ({
    pk: `SB#${sandbox}#WHFAIL#${webhookId}`,
    prefix: '',
  }),
  channelConfiguration: (sandbox: string, id: string) => ({ pk: `SB#${sandbox}`, sk: `CHANNELCONF#${id}` }),
  channelConfigurations: (sandbox: string) => ({ pk: `SB#${sandbox}`, prefix: 'CHANNELCONF#' }),
  /** The send ledger of a channel configuration with a rate limit: the next free send slot. */
  providerLedger: (sandbox: string, configurationId: string) => ({
    pk: `SB#${sandbox}#CHANNELCONF#${configurationId}`,
    sk: 'LEDGER',
  }),
  /** The provider health of a channel configuration (domain/provider-health.ts), beside its ledger. */
  providerHealth: (sandbox: string, configurationId: string) => ({
    pk: `SB#${sandbox}#CHANNELCONF#${configurationId}`,
    sk: 'HEALTH',
  }),
  /** How many test sends a sandbox made in one minute's window (TEST_SENDS_PER_MINUTE). */
  testSendWindow: (sandbox: string, window: string) => ({
    pk: `SB#${sandbox}#TESTSENDS`,
    sk: `WINDOW#${window}`,
  }),
  /** Names the channel's default configuration; at most one per channel, taken conditionally. */
  channelDefault: (sandbox: string, channel: string) => ({
    pk: `SB#${sandbox}`,
    sk: `CHANNELDEFAULT#${channel}`,
  }),
} as const;

/** The attempt log's layouts (ADR 0022, 0033): constants of the domain, named here with the keys. */
export { LEGACY_WEBHOOK_LOG_SHARDS, WEBHOOK_LOG_SHARDS } from '../domain/webhook.ts';

/** Partition of the sparse `due` index; the scheduler reads it. */
export const DUE_PARTITION = 'DUE';

/**
 * Partition of the `due` index for claims still pending (their jobs may not be queued yet), before
 * ADR 0022 spread them over CLAIM_DUE_SHARDS; the sweeper still reads it, nothing writes it.
 */
export const DUE_CLAIM_PARTITION = 'DUE#CLAIM';

/**
 * Every unitary or audience trigger puts its claim in the `due` index and takes it out when done
 * (two index writes of the whole item, the index projecting ALL): 64 partitions of the index keep
 * 5,000 triggers/s of claims up to ~5 KB under ~800 writes/s each (ADR 0022).
 */
export const CLAIM_DUE_SHARDS = 64;

/** The `due` partition of a pending claim: one of CLAIM_DUE_SHARDS, by a hash of sandbox and key. */
export function claimDuePartition(sandbox: string, key: string): string {
  return `${DUE_CLAIM_PARTITION}#${shardOf(`${sandbox}#${key}`, CLAIM_DUE_SHARDS)}`;
}

/** Every `due` partition pending claims may sit in, the unsharded one last. */
export const claimDuePartitions = (): string[] => [
  ...Array.from({ length: CLAIM_DUE_SHARDS }, (_, s) => `${DUE_CLAIM_PARTITION}#${s}`),
  DUE_CLAIM_PARTITION,
];

/** Partition of the `due` index for scheduled audience runs. */
export const DUE_SCHEDULE_PARTITION = 'DUE#SCHEDULE';

export type Key = { pk: string; sk: string };

/** An opaque page cursor: the last key, base64url-encoded. */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | undefined {
  if (!lastKey) return undefined;
  return Buffer.from(JSON.stringify({ pk: lastKey.pk, sk: lastKey.sk }), 'utf8').toString('base64url');
}

/**
 * The position an opaque cursor (base64url JSON) holds, as `read` makes it of the decoded object;
 * a cursor that does not decode, or that `read` refuses (undefined), is the client's mistake: a
 * ValidationError on `field`.
 */
export function parseCursor<T>(
  cursor: string,
  read: (parsed: Readonly<Record<string, unknown>>) => T | undefined,
  field = 'query.cursor',
): T {
  let position: T | undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      position = read(parsed as Record<string, unknown>);
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  if (position === undefined)
    throw new ValidationError([{ path: field, message: 'is not a cursor returned by this listing' }]);
  return position;
}

/** Decodes a cursor and checks it points inside the listing it is used for (never another sandbox). */
export function decodeCursor(cursor: string | undefined, pk: string, prefix: string): Key | undefined {
  if (cursor === undefined) return undefined;
  return parseCursor(cursor, (parsed) =>
    parsed.pk === pk && typeof parsed.sk === 'string' && parsed.sk.startsWith(prefix)
      ? { pk, sk: parsed.sk }
      : undefined,
  );
}
