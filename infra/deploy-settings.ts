import type { Node } from 'constructs';
import { ConfigError, parseConfig } from '../shared/config.ts';

/**
 * The `HERALD_*` variables a deployment may set, as CDK context under the variable's own name
 * (`npx cdk deploy -c HERALD_WEBHOOK_TIMEOUT_MS=5000`, or `"context"` in cdk.json). Each one given
 * is set on every function (the functions that do not read it ignore it). `HERALD_CHANNEL_PROVIDER`
 * is here so that setting it fails the synth as it would fail the functions' init.
 */
export const DEPLOY_SETTINGS = [
  'HERALD_MAX_BODY_BYTES',
  'HERALD_KEY_CACHE_SECONDS',
  'HERALD_CAMPAIGN_CACHE_SECONDS',
  'HERALD_SANDBOX_CACHE_SECONDS',
  'HERALD_WEBHOOK_CACHE_SECONDS',
  'HERALD_IMS_ORG',
  'HERALD_WEBHOOK_ALLOW_HTTP',
  'HERALD_WEBHOOK_ALLOWED_ADDRESSES',
  'HERALD_WEBHOOK_RETRY_SCHEDULE',
  'HERALD_WEBHOOK_TIMEOUT_MS',
  'HERALD_WEBHOOK_DISABLE_AFTER_SECONDS',
  'HERALD_LOG_LEVEL',
  'HERALD_LOG_FORMAT',
  'HERALD_CHANNEL_PROVIDER',
] as const;

export type DeploySetting = (typeof DEPLOY_SETTINGS)[number];

/**
 * The `HERALD_*` variables that are not deploy settings, and why: the stack sets them, they are
 * secrets (a context value is written in plain text into the template and the functions'
 * environment), or only the local runtime reads them. Given as context, each fails the synth
 * with its reason.
 */
export const NOT_DEPLOY_SETTINGS: Readonly<Record<string, string>> = {
  HERALD_PUBLIC_URL: 'the stack sets it (the API URL, or the `publicUrl` context)',
  HERALD_UNSUBSCRIBE_SECRET: "the stack sets it (the data stack's generated secret)",
  HERALD_SECRETS_KMS_KEY_ID: "the stack sets it (the data stack's KMS key)",
  HERALD_SES_CONFIGURATION_SET: 'the stack sets it (the `sesConfigurationSet` context)',
  HERALD_SMS_CONFIGURATION_SET: 'the stack sets it (when `endUserMessagingArns` is given)',
  HERALD_ADMIN_KEY:
    'a secret would be written into the template: create root keys with `npm run herald -- keys create-root`',
  HERALD_SECRETS_KEY:
    "a secret would be written into the template: on AWS the data stack's KMS key seals secrets",
  HERALD_UNSUBSCRIBE_PREVIOUS_SECRETS: 'secrets would be written into the template',
  HERALD_CONSOLE_DIR: "the stack sets it (where the public function's bundle carries the console)",
  HERALD_DATA_DIR: 'only the local runtime reads it',
  HERALD_SCHEDULER_INTERVAL_MS: 'only the local runtime reads it (on AWS the scheduler runs every minute)',
  HERALD_METRICS_SUMMARY_SECONDS:
    "only the local runtime reads it (on AWS the metrics are CloudWatch's: the dashboard)",
};

/** A context value as a variable's text: cdk.json may hold numbers, booleans and lists. */
function asVariable(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (
    Array.isArray(value) &&
    value.every((entry) => typeof entry === 'string' || typeof entry === 'number')
  ) {
    return value.join(',');
  }
  throw new ConfigError([
    { variable: name, message: 'must be a string, a number, a boolean or a list of them' },
  ]);
}

/**
 * The deploy settings given as context on `node` (the app's or a stack's), validated with the
 * functions' own schema (`parseConfig`), so a value the functions would refuse at init fails the
 * synth instead, with the same message naming the variable. A `HERALD_*` context key that is not a
 * deploy setting fails too (a typo must not be ignored). Returns the variables to set, as given.
 */
export function deploySettings(node: Node): Record<string, string> {
  const context = node.getAllContext() as Record<string, unknown>;
  const problems: { variable: string; message: string }[] = [];
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(context)) {
    if (!name.startsWith('HERALD_') || value === undefined) continue;
    const reason = NOT_DEPLOY_SETTINGS[name];
    if (reason !== undefined)
      problems.push({ variable: name, message: `is not a deploy setting: ${reason}` });
    else if (!(DEPLOY_SETTINGS as readonly string[]).includes(name)) {
      problems.push({
        variable: name,
        message: 'is not a Herald setting (see the README\'s "Configuration")',
      });
    } else settings[name] = asVariable(name, value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  // The functions' schema, with the one variable every function has (the stack sets it).
  parseConfig({ TABLE_NAME: 'set-by-the-stack', ...settings });
  return settings;
}
