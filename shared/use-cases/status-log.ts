import { logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import type { Channel } from '../schemas/campaign.ts';
import type { StatusChange } from '../schemas/execution.ts';

/**
 * One INFO line per recorded status change of a message, with its id and channel (the scope adds
 * the run's ids), and its metrics: Messages by channel and status, Exclusions by reason. The
 * change's code, never its reason or the address: a provider's reason may quote the recipient.
 * A test send's changes (`test`) are logged, marked, and counted in no metric.
 */
export function logStatusChanges(
  messageId: string,
  channel: Channel,
  changes: readonly StatusChange[],
  { test = false }: { readonly test?: boolean } = {},
): void {
  for (const change of changes) {
    logger.info('message status', {
      messageId,
      channel,
      status: change.status,
      ...(change.code !== undefined ? { code: change.code } : {}),
      ...(test ? { test: true } : {}),
    });
    if (test) continue;
    recordMetric('Messages', 1, { channel, status: change.status });
    if (change.status === 'exclude')
      recordMetric('Exclusions', 1, { channel, reason: change.code ?? 'unknown' });
  }
}
