import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { ChannelProvider, ProviderDirectory, ResolvedProvider } from '../domain/channel.ts';
import {
  type ChannelConfigurationRecord,
  type ChannelConfigurationStore,
  DKIM_KEY_FIELD,
  PASSWORD_FIELD,
  type SecretBox,
  secretContext,
} from '../domain/channel-configuration.ts';
import type { Clock } from '../domain/clock.ts';
import { effectiveRateLimit } from '../domain/sms-rate.ts';
import type { Channel } from '../schemas/campaign.ts';
import type { SmtpProviderCache } from './smtp-provider.ts';
import type { PushEndpointCache } from './sns-push-provider.ts';

/**
 * How long a container keeps what it read of a channel configuration. An edit (or a new default)
 * reaches every dispatcher within this time; a configuration is read once per container per
 * period instead of once per job.
 */
export const CONFIGURATION_CACHE_MS = 10_000;

export interface ProviderDirectoryParts {
  readonly configurations: Pick<ChannelConfigurationStore, 'get' | 'getDefault'>;
  /** Opens SMTP passwords (the dispatch function may decrypt, never encrypt). */
  readonly secrets: Pick<SecretBox, 'open'>;
  /** The built-in provider: no configuration, or a configuration of type `sandbox`. */
  readonly sandbox: ChannelProvider;
  /**
   * One SES client per container, created on first use. The clients, the push endpoint cache and
   * the SMTP pools are given as promises, and each adapter module is loaded by `import()` the first
   * time a configuration names it: a Lambda bundle holds each of them (its SDK client, nodemailer)
   * in a chunk of its own, loaded by the first job that needs it, not at every cold start (ADR 0031).
   */
  readonly ses: () => Promise<SESv2Client>;
  /**
   * The configuration set SES configurations send with when they name none
   * (HERALD_SES_CONFIGURATION_SET: the stack's, whose events reach the provider-events queue).
   * @default none: such mail is sent without a configuration set
   */
  readonly sesConfigurationSet?: string;
  /**
   * The configuration set End User Messaging configurations send with when they name none
   * (HERALD_SMS_CONFIGURATION_SET: the stack's, whose events reach the provider-events queue).
   * @default none
   */
  readonly smsConfigurationSet?: string;
  /** One SNS client per container (SMS and mobile push), created on first use. */
  readonly sns: () => Promise<SNSClient>;
  /** One End User Messaging SMS client per container, created on first use. */
  readonly endUserMessaging: () => Promise<PinpointSMSVoiceV2Client>;
  /** The push endpoints registered by this container, per platform application and token. */
  readonly pushEndpoints: () => Promise<PushEndpointCache>;
  /** SMTP pools, one per configuration revision (created on first use; the directory keeps it). */
  readonly smtp: () => Promise<SmtpProviderCache>;
  readonly clock: Clock;
}

/**
 * The dispatcher's providers, chosen from the sandbox's channel configurations (domain/channel.ts
 * says the order). Configurations are cached for CONFIGURATION_CACHE_MS; SMTP pools are kept per
 * configuration revision, so a changed password or host gets a new pool.
 */
export class ConfiguredProviders implements ProviderDirectory {
  readonly #parts: ProviderDirectoryParts;
  readonly #cache = new Map<string, { until: number; resolved: Promise<ResolvedProvider | undefined> }>();
  #smtp: Promise<SmtpProviderCache> | undefined;

  constructor(parts: ProviderDirectoryParts) {
    this.#parts = parts;
  }

  resolve(
    sandbox: string,
    channel: Channel,
    configurationId?: string,
  ): Promise<ResolvedProvider | undefined> {
    const key = JSON.stringify([sandbox, channel, configurationId ?? null]);
    const now = this.#parts.clock.now().getTime();
    const cached = this.#cache.get(key);
    if (cached && cached.until > now) return cached.resolved;
    const resolved = this.#read(sandbox, channel, configurationId);
    this.#cache.set(key, { until: now + CONFIGURATION_CACHE_MS, resolved });
    // A failed read is not kept: the next job reads again.
    resolved.catch(() => this.#cache.delete(key));
    return resolved;
  }

  async #read(
    sandbox: string,
    channel: Channel,
    id: string | undefined,
  ): Promise<ResolvedProvider | undefined> {
    const { configurations } = this.#parts;
    const record = id
      ? await configurations.get(sandbox, id)
      : await configurations.getDefault(sandbox, channel);
    if (!record) return id ? undefined : { provider: this.#parts.sandbox };
    if (record.channel !== channel) return undefined;
    // The fallback as it is now: gone, of another channel or a sandbox provider since, it is none.
    const fallback = record.fallbackId ? await configurations.get(sandbox, record.fallbackId) : undefined;
    const usable = fallback && fallback.channel === channel && fallback.provider.type !== 'sandbox';
    // A configuration's own limit, else (SMS) its origination type's parts per second (ADR 0028).
    const rate = effectiveRateLimit(record);
    const fallbackRate = usable ? effectiveRateLimit(fallback) : undefined;
    return {
      ...(usable
        ? {
            fallback: {
              provider: await this.#provider(fallback),
              configurationId: fallback.id,
              ...(fallbackRate !== undefined ? { rateLimitPerSec: fallbackRate } : {}),
            },
          }
        : {}),
      provider: await this.#provider(record),
      configurationId: record.id,
      ...(rate !== undefined ? { rateLimitPerSec: rate } : {}),
      ...((record.provider.type === 'ses' || record.provider.type === 'smtp') &&
      record.provider.unsubscribeMailto
        ? { unsubscribeMailto: record.provider.unsubscribeMailto }
        : {}),
    };
  }

  async #provider(record: ChannelConfigurationRecord): Promise<ChannelProvider> {
    const { provider } = record;
    switch (provider.type) {
      case 'sandbox':
        return this.#parts.sandbox;
      case 'ses': {
        const configurationSet = provider.configurationSet ?? this.#parts.sesConfigurationSet;
        const { SesProvider } = await import('./ses-provider.ts');
        return new SesProvider(await this.#parts.ses(), {
          ...provider,
          ...(configurationSet !== undefined ? { configurationSet } : {}),
        });
      }
      case 'sns-sms': {
        const { SnsSmsProvider } = await import('./sns-sms-provider.ts');
        return new SnsSmsProvider(await this.#parts.sns(), provider);
      }
      case 'end-user-messaging-sms': {
        const configurationSet = provider.configurationSet ?? this.#parts.smsConfigurationSet;
        const { EndUserMessagingSmsProvider } = await import('./end-user-messaging-sms-provider.ts');
        return new EndUserMessagingSmsProvider(await this.#parts.endUserMessaging(), {
          ...provider,
          ...(configurationSet !== undefined ? { configurationSet } : {}),
        });
      }
      case 'sns-push': {
        const { SnsPushProvider } = await import('./sns-push-provider.ts');
        return new SnsPushProvider(
          await this.#parts.sns(),
          provider.applications,
          await this.#parts.pushEndpoints(),
        );
      }
      case 'smtp': {
        const { password, dkim, ...settings } = provider;
        const { secrets } = this.#parts;
        this.#smtp ??= this.#parts.smtp();
        return (await this.#smtp).get({
          ...settings,
          id: record.id,
          revision: record.revision,
          ...(password
            ? { password: await secrets.open(password, secretContext(record, PASSWORD_FIELD)) }
            : {}),
          ...(dkim
            ? {
                dkim: {
                  domainName: dkim.domainName,
                  keySelector: dkim.keySelector,
                  privateKey: await secrets.open(dkim.privateKey, secretContext(record, DKIM_KEY_FIELD)),
                },
              }
            : {}),
        });
      }
    }
  }

  /** Closes the SMTP pools, if any was opened (end of a test; a Lambda container just stops). */
  async close(): Promise<void> {
    if (this.#smtp) await (await this.#smtp).close();
  }
}
