import { LOG_FORMATS, LOG_LEVELS } from './logger.ts';
import * as z from './schemas/zod.ts';

/** A comma-separated list, entries trimmed, empty ones dropped; empty when unset. */
const commaList = () =>
  z.pipe(
    z._default(z.string(), ''),
    z.transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    ),
  );

/**
 * Configuration from the environment, parsed once per container when its Lambda entry loads (or
 * when the local runtime starts). A missing or malformed variable fails the init with a message
 * naming it, not the first request that needs it.
 */
const environmentSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  DISPATCH_QUEUE_URL: z.optional(z.url()),
  FEEDBACK_QUEUE_URL: z.optional(z.url()),
  FANOUT_QUEUE_URL: z.optional(z.url()),
  PROVIDER_EVENTS_QUEUE_URL: z.optional(z.url()),
  /** Optional bootstrap key; its SHA-256 is compared, the key itself is never stored. */
  HERALD_ADMIN_KEY: z.optional(z.string().check(z.minLength(24, 'must be at least 24 characters'))),
  /**
   * Herald's public base URL, where the unsubscribe links of marketing email point (`/u/{token}`):
   * https (RFC 8058), or http on localhost. The stack sets it to the API's URL; the local runtime
   * to its own address.
   */
  HERALD_PUBLIC_URL: z.optional(
    z
      .url({ protocol: /^https?$/ })
      .check(
        z.refine(
          (url) => url.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(url),
          'must be https (http only on localhost or 127.0.0.1)',
        ),
      ),
  ),
  /**
   * Where the built console is (`index.html` and `assets/`). The stack sets it to the copy bundled
   * beside the public function's code; unset, the project's `console/dist` (the local runtime).
   */
  HERALD_CONSOLE_DIR: z.optional(z.string().check(z.minLength(1))),
  /** Largest accepted request body in bytes. */
  HERALD_MAX_BODY_BYTES: z._default(
    z.coerce.number().check(z.int(), z.gte(1024), z.lte(6_000_000)),
    1_048_576,
  ),
  /** Seconds an API key lookup is cached per container (revocation takes effect within this). */
  HERALD_KEY_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(300)), 10),
  /** Seconds a campaign is cached per container on the trigger path (edits are seen within this). */
  HERALD_CAMPAIGN_CACHE_SECONDS: z._default(z.coerce.number().check(z.gte(0), z.lte(300)), 5),
  /** Seconds a sandbox's settings (default country) are cached per container (edits are seen within this). */
  HERALD_SANDBOX_CACHE_SECONDS: z._default(z.coerce.number().check(z.gte(0), z.lte(300)), 5),
  /**
   * Seconds the feedback worker caches a sandbox's webhook list when it fans status events out (a
   * new, changed or disabled webhook takes or stops taking events within this; each delivery
   * still reads its webhook fresh, so a disabled one is never posted to).
   */
  HERALD_WEBHOOK_CACHE_SECONDS: z._default(z.coerce.number().check(z.gte(0), z.lte(300)), 5),
  /**
   * The key that seals secrets kept in the table (SMTP passwords): 32 bytes, base64. For a laptop or
   * a self-managed deployment; the local runtime keeps one in its data folder when this is unset.
   */
  HERALD_SECRETS_KEY: z.optional(
    z.string().check(
      z.refine(
        (value) => Buffer.from(value, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(value),
        {
          message: 'must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)',
        },
      ),
    ),
  ),
  /**
   * Signs the unsubscribe links (HMAC-SHA256, with a key derived from it): at least 32 characters.
   * The stack sets it from a generated Secrets Manager secret; the local runtime keeps one in its
   * data folder when this is unset.
   */
  HERALD_UNSUBSCRIBE_SECRET: z.optional(
    z.string().check(z.minLength(32, 'must be at least 32 characters'), z.maxLength(1024)),
  ),
  /** Earlier unsubscribe secrets (comma-separated) whose links still work, for a rotation. */
  HERALD_UNSUBSCRIBE_PREVIOUS_SECRETS: commaList().check(
    z.refine((list) => list.every((entry) => entry.length >= 32), 'each must be at least 32 characters'),
  ),
  /** The KMS key that seals secrets on AWS (the stack sets it); wins over HERALD_SECRETS_KEY. */
  HERALD_SECRETS_KMS_KEY_ID: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  /**
   * The SES configuration set whose event destination feeds the provider-events queue (the stack
   * creates it and sets this on the dispatch function). An SES channel configuration that names
   * no `configurationSet` sends with this one, so its feedback comes back; unset (the local
   * runtime, unless given): such mail is sent without a configuration set, and SES reports nothing.
   */
  HERALD_SES_CONFIGURATION_SET: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^[A-Za-z0-9_-]{1,64}$/,
          'must be 1–64 letters, digits, `_` or `-` (an SES configuration set name)',
        ),
      ),
  ),
  /**
   * The End User Messaging SMS configuration set whose event destination feeds the provider-events
   * queue (the stack creates it when End User Messaging is used, and sets this on the dispatch
   * function). An End User Messaging channel configuration that names no `configurationSet` sends
   * with this one, so its delivery events come back.
   */
  HERALD_SMS_CONFIGURATION_SET: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^[A-Za-z0-9_-]{1,64}$/,
          'must be 1–64 letters, digits, `_` or `-` (a configuration set name)',
        ),
      ),
  ),
  /**
   * Retired: providers are channel configurations now (`POST /channel-configurations`). Refused
   * when set, so a deployment that still sets it learns so at start-up instead of sending through
   * a provider it did not mean.
   */
  HERALD_CHANNEL_PROVIDER: z.optional(
    z.undefined({
      error: 'is no longer read: providers are channel configurations (POST /channel-configurations)',
    }),
  ),
  /**
   * The `imsOrg` of every feedback event (AJO's organisation id, e.g. `1234ABCD@AdobeOrg`), for
   * receivers written for AJO that check it. Unset: `null` — Herald belongs to no IMS organisation.
   */
  HERALD_IMS_ORG: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  /**
   * The least severe level logged: TRACE, DEBUG, INFO (one line per API request and per message
   * status change), WARN, ERROR, CRITICAL or SILENT; any case. Read here, once, and given to each
   * function's logger (Lambda's own log-level control, when set on the function, wins).
   */
  HERALD_LOG_LEVEL: z._default(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((value) => value.toUpperCase()),
      ),
      z.enum(LOG_LEVELS),
    ),
    'INFO',
  ),
  /**
   * `json` (a Powertools JSON document per line, what CloudWatch Logs Insights reads) or `text` (a
   * readable line: time, level, message, `key=value`). The local runtime defaults to `text`.
   */
  HERALD_LOG_FORMAT: z._default(z.enum(LOG_FORMATS), 'json'),
  /** Whether webhook URLs may be plain http (the local runtime allows it). */
  HERALD_WEBHOOK_ALLOW_HTTP: z._default(z.stringbool(), false),
  /** Addresses or CIDR ranges webhooks may reach although private, loopback, … (comma-separated). */
  HERALD_WEBHOOK_ALLOWED_ADDRESSES: commaList(),
  /** Seconds before each delivery attempt (comma-separated); the Standard Webhooks schedule by default. */
  HERALD_WEBHOOK_RETRY_SCHEDULE: z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'must be comma-separated seconds')),
      z.transform((value) => value.split(',').map(Number)),
    ),
  ),
  /** How long a receiver has to answer. */
  HERALD_WEBHOOK_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(60_000)), 15_000),
  /** A webhook failing this long without a success is disabled. */
  HERALD_WEBHOOK_DISABLE_AFTER_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(1)), 5 * 24 * 3600),
});

export type HeraldConfig = z.infer<typeof environmentSchema>;

/** Every variable the schema reads (the stack's deploy settings are checked against this list). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

/** The queue URL variables, one per queue definition. */
export type QueueUrlVariable =
  | 'DISPATCH_QUEUE_URL'
  | 'FEEDBACK_QUEUE_URL'
  | 'FANOUT_QUEUE_URL'
  | 'PROVIDER_EVENTS_QUEUE_URL';

/** A configuration that cannot be used; the message names every variable at fault. */
export class ConfigError extends Error {
  /** The variables at fault, in the order found. */
  readonly variables: readonly string[];

  constructor(problems: readonly { variable: string; message: string }[]) {
    super(
      `Herald configuration is invalid: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`,
    );
    this.name = 'ConfigError';
    this.variables = problems.map((p) => p.variable);
  }
}

/**
 * Parses the configuration from these variables (`process.env` in a Lambda entry, the local
 * runtime's own record otherwise). Nothing is cached or read from anywhere else: each caller parses
 * once, at start-up, and hands the result to its composition root.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): HeraldConfig {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ variable: issue.path.join('.'), message: issue.message })),
    );
  }
  return result.data;
}

/** A queue URL the caller cannot work without; a root asks for each queue it sends to. */
export function requireQueueUrl(config: HeraldConfig, name: QueueUrlVariable): string {
  const url = config[name];
  if (!url) throw new ConfigError([{ variable: name, message: 'is required' }]);
  return url;
}
