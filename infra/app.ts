import { App } from 'aws-cdk-lib';
import { HeraldApiStack, HeraldDataStack } from './stacks.ts';

/**
 * `npm run synth` / `cdk deploy --all`. Context: `stage` (default `dev`) prefixes the stack names;
 * `alarmEmail` subscribes an address to the alarm topic; `publicUrl` is where unsubscribe links
 * point (a custom domain in front of the API; the API's URL by default); `sesIdentityArn` is the
 * SES identity the dispatcher may send as (no SES permission without it); `sesConfigurationSet`
 * names the configuration set whose events reach the provider-events queue
 * (`herald-<stage>-data-events` by default); `snsSms=true` lets the dispatcher send SMS through SNS;
 * `pushApplicationArns` (comma separated) are the SNS platform applications push goes through;
 * `endUserMessagingArns` (comma separated) the End User Messaging numbers, pools, sender IDs,
 * configuration sets and opt-out lists SMS may be sent with (given, the data stack also creates an End
 * User Messaging configuration set whose events reach the provider-events queue); `reserveWorkerConcurrency=false` leaves the workers
 * without reserved concurrency (an account whose concurrency quota is under 286). Every `HERALD_*`
 * deploy setting is context under its own name (`-c HERALD_WEBHOOK_TIMEOUT_MS=5000`), validated by
 * the API stack with the functions' schema (`deploy-settings.ts`).
 */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
const alarmEmail = app.node.tryGetContext('alarmEmail') as string | undefined;
const publicUrl = app.node.tryGetContext('publicUrl') as string | undefined;
const sesIdentityArn = app.node.tryGetContext('sesIdentityArn') as string | undefined;
const sesConfigurationSet = app.node.tryGetContext('sesConfigurationSet') as string | undefined;
const reserveWorkerConcurrency = booleanContext('reserveWorkerConcurrency');
const snsSms = booleanContext('snsSms');
const pushApplicationArns = listContext('pushApplicationArns');
const endUserMessagingArns = listContext('endUserMessagingArns');
const data = new HeraldDataStack(app, `herald-${stage}-data`, {
  description: 'Herald: table and queues',
  ...(sesConfigurationSet ? { sesConfigurationSet } : {}),
  // End User Messaging is used: its configuration set and events topic feed the provider-events queue.
  ...(endUserMessagingArns.length > 0 ? { smsEvents: true } : {}),
});
new HeraldApiStack(app, `herald-${stage}-api`, {
  description: 'Herald: API, workers, scheduler, alarms',
  data: data.data,
  ...(alarmEmail ? { alarmEmail } : {}),
  ...(publicUrl ? { publicUrl } : {}),
  ...(sesIdentityArn ? { sesIdentityArn } : {}),
  ...(snsSms ? { snsSms } : {}),
  ...(pushApplicationArns.length > 0 ? { pushApplicationArns } : {}),
  ...(endUserMessagingArns.length > 0 ? { endUserMessagingArns } : {}),
  ...(reserveWorkerConcurrency !== undefined ? { reserveWorkerConcurrency } : {}),
});
app.synth();

/** A comma-separated context list (ARNs), without blanks. */
function listContext(name: string): string[] {
  return String(app.node.tryGetContext(name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A context flag: `true`/`false` from `-c`, or a boolean from cdk.json; anything else is refused. */
function booleanContext(name: string): boolean | undefined {
  const value: unknown = app.node.tryGetContext(name);
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${name} must be true or false, not '${String(value)}'`);
}
