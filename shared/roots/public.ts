import path from 'node:path';
import type { HeraldConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { type ConsoleAssets, consoleAssets } from '../http/console-assets.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import { createTelemetry, type Telemetry } from '../telemetry.ts';
import type { Authenticator } from '../use-cases/authenticate.ts';
import type { UnsubscribeDeps } from '../use-cases/unsubscribe.ts';
import type { Clients } from './parts.ts';
import { unsubscribeKeyring } from './unsubscribe-parts.ts';

/** The project's console build, for the local runtime (the stack sets HERALD_CONSOLE_DIR). */
const PROJECT_CONSOLE_DIR = path.resolve(import.meta.dirname, '../../console/dist');

/**
 * The public function: the unsubscribe links and the console's static files. No API key is read, so it builds no authenticator;
 * `authenticate` refuses, should a keyed route ever be routed here.
 */
export function publicRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  return {
    clock: systemClock,
    telemetry: createTelemetry(config, clients.sinks),
    maxBodyBytes: config.HERALD_MAX_BODY_BYTES,
    authenticate: async () => {
      throw new Error('the public function serves no route that takes an API key');
    },
    profiles: new DynamoDbProfileStore(documents, config.TABLE_NAME),
    unsubscribeKeys: unsubscribeKeyring(config),
    console: consoleAssets(config.HERALD_CONSOLE_DIR ?? PROJECT_CONSOLE_DIR),
  } satisfies UnsubscribeDeps & {
    maxBodyBytes: number;
    authenticate: Authenticator;
    telemetry: Telemetry;
    console: ConsoleAssets;
  };
}
