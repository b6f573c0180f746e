import type { HeraldConfig } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import type { Clients } from '../shared/roots/parts.ts';
import { schedulerRoot } from '../shared/roots/scheduler.ts';
import { createTelemetry, withTelemetry } from '../shared/telemetry.ts';
import { runDueCampaignTransitions } from '../shared/use-cases/campaigns.ts';
import { redriveStaleClaims } from '../shared/use-cases/claims.ts';
import { runDueSchedules } from '../shared/use-cases/schedules.ts';

/**
 * Runs every minute (EventBridge on AWS, a timer locally): applies time-driven campaign transitions
 * (scheduled → live at the start date, live → completed at the end date) and starts the scheduled
 * audience runs that are due, then re-drives claims left pending past their lock (accepted work
 * whose jobs were never queued).
 */
export function createHandler(config: HeraldConfig, clients?: Partial<Clients>) {
  const deps = schedulerRoot(config, clients);
  const telemetry = createTelemetry(config, clients?.sinks);
  return (): Promise<{ campaignsChanged: number; runsStarted: number; claimsRedriven: number }> =>
    withTelemetry(telemetry, '## scheduler', {}, async () => {
      const campaignsChanged = await runDueCampaignTransitions(deps);
      // Campaign starts go first, so a run scheduled for a campaign's start date finds it live.
      const runsStarted = await runDueSchedules(deps);
      const claimsRedriven = await redriveStaleClaims(deps);
      if (campaignsChanged + runsStarted + claimsRedriven > 0) {
        logger.info('scheduler ran', { campaignsChanged, runsStarted, claimsRedriven });
      }
      return { campaignsChanged, runsStarted, claimsRedriven };
    });
}
