import { App } from 'aws-cdk-lib';
import { HeraldApiStack, HeraldDataStack } from './stacks.ts';

/**
 * `npm run synth` / `cdk deploy --all`. Context: `stage` (default `dev`) prefixes the stack names;
 * `alarmEmail` subscribes an address to the alarm topic; `publicUrl` is where unsubscribe links
 * point (a custom domain in front of the API; the API's URL by default); `sesIdentityArn` is the
 * SES identity the dispatcher may send as (no SES permission without it); `sesConfigurationSet`
 * names the configuration set whose events reach the provider-events queue
 * (`herald-<stage>-data-events` by default).
 */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
const alarmEmail = app.node.tryGetContext('alarmEmail') as string | undefined;
const publicUrl = app.node.tryGetContext('publicUrl') as string | undefined;
const sesIdentityArn = app.node.tryGetContext('sesIdentityArn') as string | undefined;
const sesConfigurationSet = app.node.tryGetContext('sesConfigurationSet') as string | undefined;
const data = new HeraldDataStack(app, `herald-${stage}-data`, {
  description: 'Herald: table and queues',
  ...(sesConfigurationSet ? { sesConfigurationSet } : {}),
});
new HeraldApiStack(app, `herald-${stage}-api`, {
  description: 'Herald: API, workers, scheduler, alarms',
  data: data.data,
  ...(alarmEmail ? { alarmEmail } : {}),
  ...(publicUrl ? { publicUrl } : {}),
  ...(sesIdentityArn ? { sesIdentityArn } : {}),
});
app.synth();
