/**
 * SMS rate limits (pure). Carriers and AWS cap an origination identity in message PARTS per
 * second, not messages: a 3-part text uses three of a toll-free number's 3 parts/s. So an SMS
 * configuration's `rateLimitPerSec` counts parts, and where the configuration says what kind of
 * number it sends from (`originationType`) and sets no rate, the known default of that kind holds.
 */

import type { SmsOriginationType } from '../schemas/channel-configuration.ts';

/**
 * Parts per second of each kind as AWS End User Messaging SMS documents them for a new identity:
 * 10DLC 1 (a registered campaign may get more: set `rateLimitPerSec`), toll-free 3, short code
 * 100, a long code (outside the US and Canada) 1. A sender ID's throughput varies by country and
 * has no default here: without `rateLimitPerSec` it is not limited by Herald.
 */
export const DEFAULT_PARTS_PER_SECOND: Readonly<Record<SmsOriginationType, number | undefined>> = {
  '10dlc': 1,
  'toll-free': 3,
  'short-code': 100,
  'long-code': 1,
  'sender-id': undefined,
};

/** What a configuration's limit counts: SMS parts on the sms channel, else messages. */
export type RateLimitUnit = 'parts' | 'messages';
export const rateLimitUnit = (channel: string): RateLimitUnit => (channel === 'sms' ? 'parts' : 'messages');

/**
 * The limit a configuration's sends keep to: its own `rateLimitPerSec`, else (SMS) the default of
 * its origination type, else none.
 */
export function effectiveRateLimit(record: {
  readonly rateLimitPerSec?: number | undefined;
  readonly provider: { readonly type: string; readonly originationType?: SmsOriginationType | undefined };
}): number | undefined {
  if (record.rateLimitPerSec !== undefined) return record.rateLimitPerSec;
  const type = record.provider.originationType;
  return type === undefined ? undefined : DEFAULT_PARTS_PER_SECOND[type];
}

/**
 * When each of a run of sends may go, `weights[i]` slots (parts) each, from `start` at `ratePerSec`:
 * a message goes when the parts before it have had their time (its own parts follow it).
 */
export function slotTimes(start: number, weights: readonly number[], ratePerSec: number): number[] {
  let used = 0;
  return weights.map((weight) => {
    const at = start + Math.round((used * 1000) / ratePerSec);
    used += weight;
    return at;
  });
}

/** How many of these sends (in order) fit in `capacity` slots; at least one when the first fits at all. */
export function fitting(weights: readonly number[], capacity: number): number {
  let used = 0;
  let count = 0;
  for (const weight of weights) {
    if (used + weight > capacity && (count > 0 || capacity < 1)) break;
    used += weight;
    count++;
  }
  return count;
}
