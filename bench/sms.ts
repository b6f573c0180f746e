import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { CreatePlatformApplicationCommand } from '@aws-sdk/client-sns';
import { createSnsClient } from '../shared/channels/sns-client.ts';
import { PushEndpointCache, SnsPushProvider } from '../shared/channels/sns-push-provider.ts';
import { SnsSmsProvider } from '../shared/channels/sns-sms-provider.ts';
import type { OutgoingMessage } from '../shared/domain/channel.ts';
import { startMoto } from '../test/integration/moto.ts';

/**
 * `npm run bench:sms`: SMS and push through Herald's SNS providers against moto_server (which
 * must be installed, as for the tests: `pip install 'moto[server]==5.2.1'`). Prints figures;
 * asserts nothing. BENCH_SMS_MESSAGES (500) messages are handed to one provider at once, as a
 * dispatch job sends side by side; push sends first to new tokens (CreatePlatformEndpoint +
 * Publish each) and then to the same tokens again (Publish only, the endpoints cached). moto is a
 * single Python process, so the figures say what Herald's side costs and where the server's
 * limit is, not what SNS does.
 */
const MESSAGES = Number(process.env.BENCH_SMS_MESSAGES ?? 500);

const moto = await startMoto();
const sns = createSnsClient({
  endpoint: moto.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

const message = (i: number, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  sandbox: 'bench',
  executionId: randomUUID(),
  messageId: randomUUID(),
  channel: 'sms',
  campaignType: 'transactional',
  to: `+1415555${String(i % 10_000).padStart(4, '0')}`,
  content: { body: `Your code is ${String(i).padStart(6, '0')}` },
  ...extra,
});

async function run(label: string, send: (i: number) => Promise<{ kind: string; code?: string }>) {
  const started = performance.now();
  const outcomes = await Promise.all(Array.from({ length: MESSAGES }, (_, i) => send(i)));
  const seconds = (performance.now() - started) / 1000;
  const accepted = outcomes.filter((o) => o.kind === 'accepted').length;
  const others = new Map<string, number>();
  for (const o of outcomes)
    if (o.kind !== 'accepted')
      others.set(`${o.kind} ${o.code ?? ''}`, (others.get(`${o.kind} ${o.code ?? ''}`) ?? 0) + 1);
  console.log(
    `  ${label.padEnd(44)} ${(accepted / seconds).toFixed(0).padStart(6)} messages/s  (${accepted}/${MESSAGES} accepted in ${seconds.toFixed(2)} s${others.size > 0 ? `; the rest: ${[...others].map(([k, n]) => `${n} ${k}`).join(', ')}` : ''})`,
  );
}

try {
  console.log(
    `Herald SMS/push bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; moto_server 5.2.1 on loopback\n`,
  );
  const sms = new SnsSmsProvider(sns, { originationNumber: '+18005550100' });
  await run('SNS SMS Publish', (i) => sms.send(message(i), new Date()));

  const { PlatformApplicationArn } = await sns.send(
    new CreatePlatformApplicationCommand({
      Name: 'bench',
      Platform: 'GCM',
      Attributes: { PlatformCredential: 'bench' },
    }),
  );
  const push = new SnsPushProvider(
    sns,
    [{ appId: 'bench.app', platform: 'fcm', platformApplicationArn: PlatformApplicationArn ?? '' }],
    new PushEndpointCache(),
  );
  const tokens = Array.from({ length: MESSAGES }, () => `token-${randomUUID()}`);
  const pushMessage = (i: number): OutgoingMessage =>
    message(i, {
      channel: 'push',
      to: tokens[i] ?? '',
      content: { title: 'Shipped', body: 'Order 42 is on its way', data: { order: '42' } },
      push: { appId: 'bench.app', platform: 'fcm' },
    });
  await run('SNS push, new tokens (register + publish)', (i) => push.send(pushMessage(i), new Date()));
  await run('SNS push, known tokens (publish only)', (i) => push.send(pushMessage(i), new Date()));
} finally {
  sns.destroy();
  await moto.stop();
}
