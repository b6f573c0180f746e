import type { Client } from '../harness.ts';
import { waitFor } from '../receiver.ts';
import type { Draft, RouteFixture } from './corpus.ts';
import { KB } from './samples.ts';

/** The ids of everything the corpus calls routes on. */
export interface Fixtures {
  readonly sandbox: string;
  readonly key: string;
  readonly rootKey: string;
  /** Live transactional email campaign (creates unknown profiles, publishes webhooks). */
  readonly transactional: string;
  /** Live marketing email campaign sending to `audience`. */
  readonly marketing: string;
  readonly audience: string;
  readonly profileEmail: string;
  readonly webhook: string;
  readonly executionId: string;
  readonly messageId: string;
  readonly audienceExecutionId: string;
  readonly scheduleId: string;
  readonly importId: string;
  readonly eventId: string;
  /** Targets of routes that change or delete what they name, so the fixtures above stay intact. */
  readonly scratch: {
    readonly draft: string;
    readonly deletableDraft: string;
    readonly stoppable: string;
    readonly stopped: string;
    readonly webhook: string;
    readonly deletableWebhook: string;
    readonly audience: string;
    readonly deletableAudience: string;
    readonly schedule: string;
    readonly keyId: string;
    readonly profileEmail: string;
  };
}

const ok = <T>(what: string, answer: { status: number; body: T }, status: number): T => {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

const emailContent = {
  subject: 'Hello {{profile.firstName}}',
  html: '<p>Hi {{profile.firstName}}, <a href="{{context.link}}">go</a> {{context.code}}</p>',
  text: 'Hi {{profile.firstName}} {{context.link}}',
};

/**
 * Creates the valid world the corpus mutates requests against: a live transactional and a live
 * marketing campaign, an audience with one consenting member, a profile, a webhook on the loopback
 * receiver, one finished execution of each kind, a schedule, an import, and scratch targets.
 */
export async function createFixtures(options: {
  api: Client;
  sandbox: string;
  rootKey: string;
  receiverUrl: (path: string) => string;
}): Promise<Fixtures> {
  const { api } = options;
  const id = async (what: string, path: string, body: unknown, status = 201) =>
    ok(what, await api.post<{ id: string }>(path, body), status).id;
  const campaign = async (name: string, body: Record<string, unknown>, activate: boolean) => {
    const created = await id(name, '/campaigns', { name, ...body });
    if (activate) ok(`activate ${name}`, await api.post(`/campaigns/${created}/activate`), 200);
    return created;
  };

  const audience = await id('audience', '/audiences', { name: 'corpus' });
  const scratchAudience = await id('scratch audience', '/audiences', { name: 'scratch' });
  const deletableAudience = await id('deletable audience', '/audiences', { name: 'deletable' });
  const profileEmail = 'corpus@example.com';
  ok(
    'profile',
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: profileEmail }],
      attributes: { firstName: 'Ann' },
      consent: { marketing: { email: 'y' } },
      audiences: [audience],
    }),
    200,
  );
  const scratchProfile = 'scratch-delete@example.com';
  ok(
    'scratch profile',
    await api.put('/profiles', { identities: [{ namespace: 'email', id: scratchProfile }] }),
    200,
  );
  const transactionalBody = {
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    createNewProfiles: true,
    enableWebhooks: true,
    content: emailContent,
  };
  const transactional = await campaign('corpus transactional', transactionalBody, true);
  const marketing = await campaign(
    'corpus marketing',
    {
      category: 'marketing',
      channel: 'email',
      identityNamespace: 'email',
      audience: { id: audience },
      throttleRatePerSec: 500,
      enableWebhooks: true,
      content: emailContent,
    },
    true,
  );
  const draft = await campaign('scratch draft', transactionalBody, false);
  const deletableDraft = await campaign('deletable draft', transactionalBody, false);
  const stoppable = await campaign('stoppable', transactionalBody, true);
  const stopped = await campaign('stopped', transactionalBody, true);
  ok('stop', await api.post(`/campaigns/${stopped}/stop`), 200);

  const webhook = await id('webhook', '/webhooks', {
    name: 'corpus',
    url: options.receiverUrl('/corpus'),
    channels: ['email'],
  });
  const scratchWebhook = await id('scratch webhook', '/webhooks', {
    name: 'scratch',
    url: options.receiverUrl('/scratch'),
    channels: ['email'],
  });
  const deletableWebhook = await id('deletable webhook', '/webhooks', {
    name: 'deletable',
    url: options.receiverUrl('/deletable'),
    enabled: false,
  });

  const executionId = ok(
    'unitary',
    await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: 'corpus-setup',
      campaignId: transactional,
      recipients: [{ type: 'aep', userId: profileEmail, namespace: 'email', context: { link: 'https://x' } }],
    }),
    202,
  ).executionId;
  let messageId = '';
  await waitFor(async () => {
    const execution = await api.get<{ recipients: { messageId: string; status: string }[] }>(
      `/executions/${executionId}`,
    );
    const [first] = execution.body.recipients ?? [];
    messageId = first?.messageId ?? '';
    return first !== undefined && first.status !== 'queued';
  }, 'the setup execution');
  const audienceExecutionId = ok(
    'audience run',
    await api.post<{ executionId: string }>('/im/executions/audience', {
      campaignId: marketing,
      requestId: 'corpus-setup-run',
    }),
    202,
  ).executionId;
  await waitFor(async () => {
    const run = await api.get<{ status: string; counts: { queued: number } }>(
      `/im/executions/audience/${audienceExecutionId}`,
    );
    return run.body.status !== 'InProgress' && run.body.counts.queued === 0;
  }, 'the setup audience run');
  const schedule = async (requestId: string) =>
    ok(
      'schedule',
      await api.post<{ scheduleId: string }>('/im/executions/audience', {
        campaignId: marketing,
        requestId,
        schedule: { executeAt: '2031-06-01T00:00:00Z' },
      }),
      202,
    ).scheduleId;
  const scheduleId = await schedule('corpus-setup-schedule');
  const scratchSchedule = await schedule('corpus-setup-schedule-2');
  const importId = ok(
    'import',
    await api.post<{ importId: string }>(`/audiences/${scratchAudience}/imports`, {
      lines: '{"namespace":"email","id":"imported@example.com"}',
    }),
    200,
  ).importId;
  let eventId = '';
  await waitFor(async () => {
    const attempts = await api.get<{ items: { eventId: string }[] }>(`/webhooks/${webhook}/attempts`);
    eventId = attempts.body.items?.[0]?.eventId ?? '';
    return eventId !== '';
  }, 'a webhook delivery');
  const keyId = ok(
    'scratch key',
    await api.post<{ id: string }>('/api-keys', { scopes: ['campaigns:read'], name: 'scratch' }),
    201,
  ).id;

  return {
    sandbox: options.sandbox,
    key: api.key,
    rootKey: options.rootKey,
    transactional,
    marketing,
    audience,
    profileEmail,
    webhook,
    executionId,
    messageId,
    audienceExecutionId,
    scheduleId,
    importId,
    eventId,
    scratch: {
      draft,
      deletableDraft,
      stoppable,
      stopped,
      webhook: scratchWebhook,
      deletableWebhook,
      audience: scratchAudience,
      deletableAudience,
      schedule: scratchSchedule,
      keyId,
      profileEmail: scratchProfile,
    },
  };
}

/** 20 recipients, each with `profileBytes` of profile overlay and `contextBytes` of context. */
function largeRecipients(profileBytes: number, contextBytes: number) {
  return Array.from({ length: 20 }, (_, k) => ({
    type: 'aep',
    userId: `big-${k}-@@n@@@example.com`,
    namespace: 'email',
    profile: { firstName: 'Ann', blob: 'p'.repeat(profileBytes) },
    context: { link: 'https://x', blob: 'c'.repeat(contextBytes) },
  }));
}

/** The valid call of each route, by operationId. */
export function routeFixtures(f: Fixtures, receiverUrl: (path: string) => string) {
  const email = (n: string) => ({ namespace: 'email', id: n });
  const table: Record<string, Omit<RouteFixture, 'key'> & { key?: string }> = {
    createSandbox: { key: f.rootKey, bodies: [{ label: '', hint: { name: 'corpus-@@n@@' } }] },
    listSandboxes: { key: f.rootKey },
    createApiKey: {
      bodies: [{ label: '', hint: { sandbox: f.sandbox, scopes: ['campaigns:read'], name: 'key @@n@@' } }],
    },
    listApiKeys: { query: { sandbox: f.sandbox } },
    deleteApiKey: { params: { id: f.scratch.keyId }, query: { sandbox: f.sandbox } },
    createNamespace: {
      bodies: [{ label: '', hint: { code: 'ns@@n@@', name: 'Namespace @@n@@', description: 'd' } }],
    },
    createCampaign: {
      bodies: [
        {
          label: 'email',
          hint: {
            name: 'campaign @@n@@',
            description: 'd',
            category: 'transactional',
            channel: 'email',
            identityNamespace: 'email',
            createNewProfiles: true,
            enableWebhooks: true,
            highThroughput: false,
            content: emailContent,
            schedule: { startDate: '2030-01-01T00:00:00Z', endDate: '2032-01-01T00:00:00Z' },
          },
        },
        {
          label: 'push',
          hint: {
            name: 'push @@n@@',
            category: 'transactional',
            channel: 'push',
            appId: 'com.example.app',
            identityNamespace: 'ecid',
            content: { title: 'Hi {{profile.firstName}}', body: 'b', data: { deepLink: 'app://x' } },
          },
        },
        {
          label: 'marketing',
          hint: {
            name: 'marketing @@n@@',
            category: 'marketing',
            channel: 'email',
            identityNamespace: 'email',
            audience: { id: f.audience },
            throttleRatePerSec: 10,
            content: emailContent,
          },
        },
      ],
    },
    listCampaigns: { query: { limit: '5' } },
    getCampaign: { params: { id: f.transactional } },
    patchCampaign: {
      params: { id: f.scratch.draft },
      bodies: [
        {
          label: '',
          hint: { name: 'patched @@n@@', description: 'x', content: emailContent, throttleRatePerSec: null },
        },
      ],
    },
    deleteCampaign: { params: { id: f.scratch.deletableDraft } },
    activateCampaign: { params: { id: f.scratch.draft } },
    stopCampaign: { params: { id: f.scratch.stoppable } },
    archiveCampaign: { params: { id: f.scratch.stopped } },
    duplicateCampaign: { params: { id: f.transactional } },
    upsertProfile: {
      bodies: [
        {
          label: '',
          hint: {
            identities: [email('u-@@n@@@example.com')],
            attributes: { firstName: 'Ann', tier: 'gold' },
            consent: { marketing: { email: 'y', sms: 'n', push: 'y' } },
            audiences: [f.scratch.audience],
          },
        },
      ],
    },
    getProfile: { params: { namespace: 'email', id: f.profileEmail } },
    deleteProfile: { params: { namespace: 'email', id: f.scratch.profileEmail } },
    triggerUnitary: {
      // The requestId goes into keys and queue messages: every Unicode sample, always.
      complete: [{ klass: 'unicode', place: 'requestId' }],
      bodies: [
        {
          label: '',
          hint: {
            requestId: 'corpus-@@n@@',
            campaignId: f.transactional,
            recipients: [
              {
                type: 'aep',
                userId: f.profileEmail,
                namespace: 'email',
                channelData: { emailAddress: 'success@simulator.amazonses.com' },
                profile: { firstName: 'Ann' },
                context: { link: 'https://example.com/r', code: 'C' },
              },
            ],
          },
        },
      ],
      extra: (base) => {
        const body = base as Record<string, unknown>;
        const recipients = (name: string, profile: number, context: number): Draft => ({
          klass: 'size',
          always: true,
          name: `20 recipients: ${name}`,
          body: { kind: 'json', value: { ...body, recipients: largeRecipients(profile, context) } },
        });
        return [
          recipients('40 KB profile overlay and 9 KB context each (body near 1 MiB)', 40 * KB, 9 * KB),
          recipients('10.5 KB context each (context over 200 KB)', 1, 10.5 * KB),
        ];
      },
    },
    triggerAudience: {
      complete: [{ klass: 'unicode', place: 'requestId' }],
      bodies: [
        {
          label: '',
          hint: {
            campaignId: f.marketing,
            requestId: 'corpus-@@n@@',
            audience: { id: f.audience },
            context: { code: 'X', link: 'https://x' },
          },
        },
      ],
    },
    getAudienceExecution: { params: { executionId: f.audienceExecutionId } },
    getSchedule: { params: { scheduleId: f.scheduleId } },
    cancelSchedule: { params: { scheduleId: f.scratch.schedule } },
    getExecution: { params: { executionId: f.executionId } },
    getRenderedMessage: { params: { executionId: f.executionId, messageId: f.messageId } },
    createWebhook: {
      bodies: [
        {
          label: '',
          hint: {
            name: 'webhook @@n@@',
            url: receiverUrl('/created'),
            channels: ['email'],
            enabled: false,
            auth: { type: 'bearer', token: 'token' },
            headers: { 'x-tenant': 'acme' },
          },
        },
      ],
    },
    getWebhook: { params: { id: f.webhook } },
    patchWebhook: {
      params: { id: f.scratch.webhook },
      bodies: [
        {
          label: '',
          hint: {
            name: 'patched',
            url: receiverUrl('/patched'),
            channels: ['email'],
            enabled: true,
            auth: { type: 'basic', username: 'user', password: 'pass' },
            headers: { 'x-tenant': 'acme' },
          },
        },
      ],
    },
    deleteWebhook: { params: { id: f.scratch.deletableWebhook } },
    rotateWebhookSecret: { params: { id: f.scratch.webhook } },
    testWebhook: { params: { id: f.webhook } },
    listWebhookAttempts: { params: { id: f.webhook }, query: { limit: '5' } },
    resendWebhookEvent: { params: { id: f.webhook, eventId: f.eventId } },
    recoverWebhook: {
      params: { id: f.webhook },
      bodies: [{ label: '', hint: { since: '2020-01-01T00:00:00Z', until: '2020-01-02T00:00:00Z' } }],
    },
    createAudience: { bodies: [{ label: '', hint: { name: 'audience @@n@@', description: 'd' } }] },
    getAudience: { params: { id: f.audience } },
    patchAudience: {
      params: { id: f.scratch.audience },
      bodies: [{ label: '', hint: { name: 'renamed', description: 'd' } }],
    },
    deleteAudience: { params: { id: f.scratch.deletableAudience } },
    addAudienceMembers: {
      params: { id: f.scratch.audience },
      bodies: [{ label: '', hint: { identities: [email('m-@@n@@@example.com')] } }],
    },
    removeAudienceMembers: {
      params: { id: f.scratch.audience },
      bodies: [{ label: '', hint: { identities: [email('imported@example.com')] } }],
    },
    importAudienceChunk: {
      params: { id: f.scratch.audience },
      bodies: [
        {
          label: '',
          hint: {
            lines:
              '{"namespace":"email","id":"i-@@n@@@example.com"}\n{"namespace":"email","id":"j-@@n@@@example.com"}',
          },
        },
      ],
    },
    getAudienceImport: { params: { id: f.scratch.audience, importId: f.importId } },
  };
  return (operationId: string): RouteFixture => {
    const entry = table[operationId] ?? {};
    return { ...entry, key: entry.key ?? f.key };
  };
}
