/**
 * What parsing on read costs per item: the hot reads of dispatch (messages, profiles) and a
 * campaign, each parsed many times with its entity, against a bare object spread (what the old
 * cast-and-strip did). `node bench/parse-items.ts`
 */
import { campaignItem, messageItem, profileItem } from '../shared/store/items.ts';

const at = '2026-01-01T00:00:00.000Z';
const samples = {
  message: messageItem.item({
    sandbox: 'prod',
    executionId: '01a2359a-c1de-7a01-adc2-fc1d1b025f76',
    messageId: '01a2359a-c1de-7a01-adc2-fc1d1b025f77',
    userId: 'someone@example.com',
    namespace: 'email',
    profileId: '01a2359a-c1de-7a01-adc2-fc1d1b025f78',
    status: 'sent',
    history: [
      { status: 'queued', at },
      { status: 'sent', at },
    ],
  }),
  profile: profileItem.item({
    sandbox: 'prod',
    profileId: '01a2359a-c1de-7a01-adc2-fc1d1b025f78',
    identities: [{ namespace: 'email', id: 'someone@example.com' }],
    attributes: { firstName: 'Ada', tier: 'gold', address: { city: 'Paris', zip: '75001' } },
    consent: { marketing: { email: 'y' } },
    dataset: 'profiles',
    revision: 3,
    createdAt: at,
    modifiedAt: at,
  }),
  campaign: campaignItem.item({
    id: '01a2359a-c1de-7a01-adc2-fc1d1b025f79',
    sandbox: 'prod',
    name: 'Welcome',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    createNewProfiles: false,
    enableWebhooks: true,
    highThroughput: false,
    content: { subject: 'Hi {{profile.firstName}}', html: '<p>Hello</p>'.repeat(50), text: 'Hello' },
    status: 'live',
    version: 2,
    revision: 7,
    createdAt: at,
    createdBy: 'k1',
    modifiedAt: at,
    modifiedBy: 'k1',
  }),
};
const parsers = { message: messageItem, profile: profileItem, campaign: campaignItem };

function perItemNs(run: () => unknown, n = 200_000): number {
  for (let i = 0; i < 20_000; i++) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run();
  return Number(process.hrtime.bigint() - start) / n;
}

for (const kind of ['message', 'profile', 'campaign'] as const) {
  const item = samples[kind];
  // The first parse of a kind builds zod's compiled parser: a cost paid once per container.
  const first = process.hrtime.bigint();
  parsers[kind].parse(item);
  const firstUs = Number(process.hrtime.bigint() - first) / 1000;
  const parse = perItemNs(() => parsers[kind].parse(item));
  const spread = perItemNs(() => {
    const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
    return rest;
  });
  console.log(
    `${kind.padEnd(8)} first ${firstUs.toFixed(0)} µs   then parse ${(parse / 1000).toFixed(2)} µs/item   strip-and-cast ${(spread / 1000).toFixed(2)} µs/item   a batch of 100: ${((parse * 100) / 1e6).toFixed(3)} ms`,
  );
}
