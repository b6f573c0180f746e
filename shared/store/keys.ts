import { ValidationError } from '../domain/errors.ts';

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
  /** One partition per webhook: its attempt log, newest last. */
  attempts: (sandbox: string, webhookId: string) => ({ pk: `SB#${sandbox}#WHATT#${webhookId}`, prefix: '' }),
  /** One partition per webhook: deliveries that exhausted their retries, by creation time. */
  failedDeliveries: (sandbox: string, webhookId: string) => ({
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
  /** Names the channel's default configuration; at most one per channel, taken conditionally. */
  channelDefault: (sandbox: string, channel: string) => ({
    pk: `SB#${sandbox}`,
    sk: `CHANNELDEFAULT#${channel}`,
  }),
} as const;

/** Partition of the sparse `due` index; the scheduler reads it. */
export const DUE_PARTITION = 'DUE';

/** Partition of the `due` index for claims still pending: their jobs may not be queued yet. */
export const DUE_CLAIM_PARTITION = 'DUE#CLAIM';

/** Partition of the `due` index for scheduled audience runs. */
export const DUE_SCHEDULE_PARTITION = 'DUE#SCHEDULE';

export type Key = { pk: string; sk: string };

/** An opaque page cursor: the last key, base64url-encoded. */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | undefined {
  if (!lastKey) return undefined;
  return Buffer.from(JSON.stringify({ pk: lastKey.pk, sk: lastKey.sk }), 'utf8').toString('base64url');
}

/** Decodes a cursor and checks it points inside the listing it is used for (never another sandbox). */
export function decodeCursor(cursor: string | undefined, pk: string, prefix: string): Key | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      'pk' in parsed &&
      'sk' in parsed &&
      parsed.pk === pk &&
      typeof parsed.sk === 'string' &&
      parsed.sk.startsWith(prefix)
    ) {
      return { pk, sk: parsed.sk };
    }
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor returned by this listing' }]);
}
