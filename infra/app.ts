import { App } from 'aws-cdk-lib';
import { HeraldApiStack, HeraldDataStack } from './stacks.ts';

/**
 * `npm run synth` / `cdk deploy --all`. Context: `stage` (default `dev`) prefixes the stack names;
 * `alarmEmail` subscribes an address to the alarm topic; `publicUrl` is where unsubscribe links
 * point (a custom domain in front of the API; the API's URL by default).
 */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
const alarmEmail = app.node.tryGetContext('alarmEmail') as string | undefined;
const publicUrl = app.node.tryGetContext('publicUrl') as string | undefined;
const data = new HeraldDataStack(app, `herald-${stage}-data`, { description: 'Herald: table and queues' });
new HeraldApiStack(app, `herald-${stage}-api`, {
  description: 'Herald: API, workers, scheduler, alarms',
  data: data.data,
  ...(alarmEmail ? { alarmEmail } : {}),
  ...(publicUrl ? { publicUrl } : {}),
});
app.synth();
