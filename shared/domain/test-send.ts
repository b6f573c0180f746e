import type { Channel } from '../schemas/campaign.ts';
import type { ChannelData } from '../schemas/execution.ts';
import type { CampaignRecord } from './campaign.ts';
import { type FieldIssue, ValidationError } from './errors.ts';
import { chooseAddress } from './message.ts';

/**
 * Test sends a sandbox may make in one UTC minute: enough for someone clicking "Send test" while
 * editing, far too few to use tests as an unlogged sending route.
 */
export const TEST_SENDS_PER_MINUTE = 10;

/** The fixed one-minute window a test send at `now` counts in, and the seconds until it ends. */
export function testSendWindow(now: Date): { readonly window: string; readonly retryAfterSeconds: number } {
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  return {
    window: new Date(start).toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((start + 60_000 - now.getTime()) / 1000)),
  };
}

/** Counts a sandbox's test sends per window, refusing past the limit. */
export interface TestSendCounter {
  /** Counts one send in the window unless `limit` are counted already: false then. */
  take(sandbox: string, window: string, limit: number, expiresAt: number): Promise<boolean>;
}

/**
 * The campaign as a test send of `version` sends it: `draft` is the pending edits (or the draft
 * campaign itself), `live` the active definition. Its lifecycle facts stay the record's.
 */
export function testedCampaign(record: CampaignRecord, version: 'draft' | 'live'): CampaignRecord {
  if (version === 'live' && record.version === 0)
    throw new ValidationError([
      { path: 'body.version', message: 'the campaign has no live version: it was never activated' },
    ]);
  return version === 'draft' && record.draft ? { ...record, ...record.draft } : record;
}

const FIELD_OF: Record<Channel, keyof ChannelData> = {
  email: 'emailAddress',
  sms: 'mobilePhoneNumber',
  push: 'pushInfo',
};

/**
 * The address a test send goes to: the channel's one field of `channelData`, normalised as a
 * send would. A missing or unreadable address, or another channel's field, is a 400 naming it.
 */
export function testAddress(channel: Channel, channelData: ChannelData): string {
  const field = FIELD_OF[channel];
  const issues: FieldIssue[] = Object.keys(channelData)
    .filter((key) => key !== field)
    .map((key) => ({
      path: `body.channelData.${key}`,
      message: `is not used by a ${channel} campaign; give ${field}`,
    }));
  const choice = chooseAddress(channel, { [field]: channelData[field] }, undefined);
  if (!choice.ok) {
    const path = channel === 'push' ? 'body.channelData.pushInfo.token' : `body.channelData.${field}`;
    issues.push({
      path: channelData[field] === undefined ? `body.channelData.${field}` : path,
      message: channelData[field] === undefined ? `is required for a ${channel} campaign` : choice.reason,
    });
  }
  if (issues.length > 0 || !choice.ok) throw new ValidationError(issues);
  return choice.address;
}
