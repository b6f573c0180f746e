import type { HeraldConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import { createTelemetry, type Telemetry } from '../telemetry.ts';
import type { Authenticator } from '../use-cases/authenticate.ts';
import type { UnsubscribeDeps } from '../use-cases/unsubscribe.ts';
import type { Clients } from './parts.ts';
import { unsubscribeKeyring } from './unsubscribe-parts.ts';

/**
 * The public function: the unsubscribe links. No API key is read, so it builds no authenticator;
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
  } satisfies UnsubscribeDeps & { maxBodyBytes: number; authenticate: Authenticator; telemetry: Telemetry };
}
