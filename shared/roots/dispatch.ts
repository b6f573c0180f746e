import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ConfiguredProviders } from '../channels/provider-directory.ts';
import { SandboxProvider } from '../channels/sandbox-provider.ts';
import type { PushEndpointCache } from '../channels/sns-push-provider.ts';
import { ConfigError, type HeraldConfig } from '../config.ts';
import { parseAllowlist } from '../domain/address-policy.ts';
import { systemClock } from '../domain/clock.ts';
import { ProviderHealthRecorder } from '../domain/provider-health.ts';
import { signUnsubscribeToken, unsubscribeUrl } from '../domain/unsubscribe-token.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { DynamoDbChannelConfigurationStore } from '../store/dynamodb-channel-configuration-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbDispatchReader } from '../store/dynamodb-dispatch-reader.ts';
import { DynamoDbExecutionStore } from '../store/dynamodb-execution-store.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import { DynamoDbSuppressionStore } from '../store/dynamodb-suppression-store.ts';
import { DynamoDbProviderHealthStore } from '../store/provider-health-store.ts';
import { DynamoDbSendLedger } from '../store/slot-ledger.ts';
import type { DispatchDeps } from '../use-cases/dispatch.ts';
import type { Clients } from './parts.ts';
import { dispatchQueue, statusEvents } from './queue-parts.ts';
import { secretBox } from './secret-parts.ts';
import { unsubscribeKeyring } from './unsubscribe-parts.ts';

/**
 * The dispatch worker: render, send through the provider the sandbox's channel configurations
 * name (SMTP pools and the SES client kept per container), record, publish status events, queue
 * "not now" recipients again. It opens SMTP passwords and signs unsubscribe links; it cannot
 * start without HERALD_PUBLIC_URL, where those links point.
 */
export function dispatchRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  const table = config.TABLE_NAME;
  const publicUrl = config.HERALD_PUBLIC_URL;
  if (!publicUrl)
    throw new ConfigError([
      {
        variable: 'HERALD_PUBLIC_URL',
        message: 'is required: the unsubscribe links of marketing email point there',
      },
    ]);
  const keyring = unsubscribeKeyring(config);
  const sandbox = new SandboxProvider(documents, table);
  // Each client (and nodemailer, for SMTP) is in a module loaded when a job first needs it (ADR 0031).
  let ses: Promise<SESv2Client> | undefined;
  let sns: Promise<SNSClient> | undefined;
  let endUserMessaging: Promise<PinpointSMSVoiceV2Client> | undefined;
  let pushEndpoints: Promise<PushEndpointCache> | undefined;
  const isAllowed = parseAllowlist(config.HERALD_WEBHOOK_ALLOWED_ADDRESSES);
  const providers = new ConfiguredProviders({
    configurations: new DynamoDbChannelConfigurationStore(documents, table),
    secrets: secretBox(config),
    sandbox,
    ses: () => {
      ses ??= import('../channels/ses-provider.ts').then((m) => m.createSesClient());
      return ses;
    },
    sns: () => {
      sns ??= import('../channels/sns-client.ts').then((m) => m.createSnsClient());
      return sns;
    },
    endUserMessaging: () => {
      endUserMessaging ??= import('../channels/end-user-messaging-sms-provider.ts').then((m) =>
        m.createEndUserMessagingClient(),
      );
      return endUserMessaging;
    },
    pushEndpoints: () => {
      pushEndpoints ??= import('../channels/sns-push-provider.ts').then((m) => new m.PushEndpointCache());
      return pushEndpoints;
    },
    ...(config.HERALD_SES_CONFIGURATION_SET
      ? { sesConfigurationSet: config.HERALD_SES_CONFIGURATION_SET }
      : {}),
    ...(config.HERALD_SMS_CONFIGURATION_SET
      ? { smsConfigurationSet: config.HERALD_SMS_CONFIGURATION_SET }
      : {}),
    // The SMTP host passed the SSRF policy when it was saved; it is checked again at each connect.
    smtp: () => import('../channels/smtp-provider.ts').then((m) => new m.SmtpProviderCache({ isAllowed })),
    clock: systemClock,
  });
  return {
    clock: systemClock,
    executions: new DynamoDbExecutionStore(documents, table),
    reads: new DynamoDbDispatchReader(documents, table),
    suppressions: new DynamoDbSuppressionStore(documents, table),
    providers,
    events: statusEvents(config, sqs),
    retries: dispatchQueue(config, sqs),
    ledger: new DynamoDbSendLedger(documents, table),
    profiles: new DynamoDbProfileStore(documents, table),
    // One per container: it samples the success writes (domain/provider-health.ts).
    health: new ProviderHealthRecorder(new DynamoDbProviderHealthStore(documents, table)),
    unsubscribeUrl: (claims) => unsubscribeUrl(publicUrl, signUnsubscribeToken(keyring, claims)),
  } satisfies DispatchDeps;
}
