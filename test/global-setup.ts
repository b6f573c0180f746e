import { ensureConsoleBuilt } from '../console/build.ts';

/**
 * Once per test run: the console's build, which the runtime serves at /console and the CDK
 * bundling copies, rebuilt only when its sources changed (so `npx vitest run <file>` needs no step).
 */
export default async function setup(): Promise<void> {
  await ensureConsoleBuilt();
}
