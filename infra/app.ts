import { App } from 'aws-cdk-lib';
import { HeraldApiStack, HeraldDataStack } from './stacks.ts';

/**
 * `npm run synth` / `cdk deploy --all`. Context: `stage` (default `dev`) prefixes the stack names;
 * `alarmEmail` subscribes an address to the alarm topic.
 */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
const alarmEmail = app.node.tryGetContext('alarmEmail') as string | undefined;
const data = new HeraldDataStack(app, `herald-${stage}-data`, { description: 'Herald: table and queues' });
new HeraldApiStack(app, `herald-${stage}-api`, {
  description: 'Herald: API, workers, scheduler, alarms',
  data: data.data,
  ...(alarmEmail ? { alarmEmail } : {}),
});
app.synth();
