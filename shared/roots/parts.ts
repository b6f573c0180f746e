import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HeraldConfig } from '../config.ts';
import type { ApiKeyStore } from '../domain/auth.ts';
import { hashApiKey } from '../domain/auth.ts';
import { systemClock } from '../domain/clock.ts';
import { DynamoDbSandboxStore } from '../store/dynamodb-sandbox-store.ts';
import { createTelemetry, type TelemetrySinks } from '../telemetry.ts';
import { createAuthenticator } from '../use-cases/authenticate.ts';
import { cachedSandboxes } from '../use-cases/read-cache.ts';

/**
 * The SDK clients a composition root builds its adapters on. A Lambda's root builds its own (one
 * per container); the local runtime passes the ones it built for its engines, the same to every
 * root, so tests can watch or fault the very clients the handlers use.
 */
export interface Clients {
  readonly dynamodb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  /** Where logs go instead of stdout (the local runtime's and the tests' seam). @default stdout */
  readonly sinks?: TelemetrySinks;
}

/**
 * What every API function needs besides its use cases: the clock, the body limit, authentication,
 * and its telemetry (the handler shell logs each request with it).
 */
export function apiParts(config: HeraldConfig, apiKeys: ApiKeyStore, clients: Partial<Clients> = {}) {
  return {
    telemetry: createTelemetry(config, clients.sinks),
    clock: systemClock,
    maxBodyBytes: config.HERALD_MAX_BODY_BYTES,
    authenticate: createAuthenticator({
      keys: apiKeys,
      cacheMs: config.HERALD_KEY_CACHE_SECONDS * 1000,
      ...(config.HERALD_ADMIN_KEY ? { adminKeyHash: hashApiKey(config.HERALD_ADMIN_KEY) } : {}),
    }),
  };
}

/** Sandbox settings (the default country), cached per container. */
export function sandboxSettings(config: HeraldConfig, documents: DynamoDBDocumentClient) {
  return cachedSandboxes(
    new DynamoDbSandboxStore(documents, config.TABLE_NAME),
    config.HERALD_SANDBOX_CACHE_SECONDS * 1000,
  );
}
