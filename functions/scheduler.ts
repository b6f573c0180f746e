import { logger } from '../shared/logger.ts';
import { runDueCampaignTransitions } from '../shared/use-cases/campaigns.ts';
import { containerDeps } from '../shared/wiring.ts';

let deps: ReturnType<typeof containerDeps> | undefined;

/**
 * Runs every minute (EventBridge on AWS, a timer locally): applies time-driven campaign transitions
 * (scheduled → live at the start date, live → completed at the end date).
 */
export const handler = async (): Promise<{ campaignsChanged: number }> => {
  deps ??= containerDeps();
  const campaignsChanged = await runDueCampaignTransitions(deps);
  if (campaignsChanged > 0) logger.info('scheduler applied campaign transitions', { campaignsChanged });
  return { campaignsChanged };
};
