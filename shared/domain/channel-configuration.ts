import type { Channel } from '../schemas/campaign.ts';
import type {
  ChannelConfigurationView,
  ProviderView,
  PushPlatform,
  SmsOriginationType,
} from '../schemas/channel-configuration.ts';
import { effectiveRateLimit } from './sms-rate.ts';

/**
 * Channel configurations (the reference system's term): which provider carries a sandbox's
 * messages on a channel, from which sender, at what rate. A campaign names one, or the sandbox's
 * default for the channel is used, or — with neither — the sandbox provider, so nothing leaves a
 * fresh install by accident.
 */

/** An SMTP password as stored: sealed by a {@link SecretBox}, never the clear text. */
export interface SealedSecret {
  /** Opaque; which box sealed it and with which key is inside. */
  readonly sealed: string;
}

/** DKIM signing as stored: the private key only sealed. */
export interface StoredDkim {
  readonly domainName: string;
  readonly keySelector: string;
  readonly privateKey: SealedSecret;
}

export type StoredProvider =
  | { readonly type: 'sandbox' }
  | {
      readonly type: 'ses';
      readonly fromAddress: string;
      readonly fromName?: string;
      readonly replyTo?: string;
      readonly unsubscribeMailto?: string;
      readonly configurationSet?: string;
    }
  | {
      readonly type: 'smtp';
      readonly host: string;
      readonly port: number;
      readonly secure: boolean;
      readonly username?: string;
      readonly password?: SealedSecret;
      readonly dkim?: StoredDkim;
      readonly fromAddress: string;
      readonly fromName?: string;
      readonly replyTo?: string;
      readonly unsubscribeMailto?: string;
    }
  | {
      readonly type: 'sns-sms';
      readonly originationNumber?: string;
      readonly senderId?: string;
      readonly maxPriceUsd?: number;
      /** What kind of number it sends from: its parts-per-second default (domain/sms-rate.ts). */
      readonly originationType?: SmsOriginationType;
      /** Ask SNS whether the number opted out before each Publish (ADR 0028). */
      readonly checkOptOut?: boolean;
    }
  | {
      readonly type: 'end-user-messaging-sms';
      readonly originationIdentity: string;
      readonly configurationSet?: string;
      readonly maxPriceUsd?: number;
      readonly timeToLiveSeconds?: number;
      readonly originationType?: SmsOriginationType;
    }
  | { readonly type: 'sns-push'; readonly applications: readonly PushApplication[] };

/** One app on one platform, and the SNS platform application that reaches its devices. */
export interface PushApplication {
  readonly appId: string;
  readonly platform: PushPlatform;
  readonly platformApplicationArn: string;
}

export interface ChannelConfigurationRecord {
  readonly sandbox: string;
  readonly id: string;
  readonly name: string;
  readonly channel: Channel;
  readonly provider: StoredProvider;
  readonly rateLimitPerSec?: number;
  /** The configuration that sends when this one's provider is down (same channel, not the sandbox provider). */
  readonly fallbackId?: string;
  /** The sandbox's default for the channel (at most one per channel, kept by the store). */
  readonly isDefault: boolean;
  readonly createdAt: string;
  readonly modifiedAt: string;
  readonly revision: number;
}

export interface ChannelConfigurationStore {
  /**
   * Writes a new configuration (and, when it is the default, the channel's default marker) in one
   * transaction; DefaultTakenError when the channel has a default already.
   */
  create(record: ChannelConfigurationRecord): Promise<void>;
  get(sandbox: string, id: string): Promise<ChannelConfigurationRecord | undefined>;
  list(sandbox: string): Promise<ChannelConfigurationRecord[]>;
  /**
   * Writes when the stored revision is still `record.revision - 1` (else ConcurrentUpdateError),
   * taking or giving up the channel's default marker as `isDefault` changed from `previous`
   * (DefaultTakenError when another configuration holds it).
   */
  save(record: ChannelConfigurationRecord, previous: ChannelConfigurationRecord): Promise<void>;
  /** Deletes the configuration (and its default marker) when its revision is still `record.revision`. */
  delete(record: ChannelConfigurationRecord): Promise<void>;
  /** The sandbox's default configuration for the channel, if it has one. */
  getDefault(sandbox: string, channel: Channel): Promise<ChannelConfigurationRecord | undefined>;
}

/**
 * Seals secrets with a key that is not in the table (AES-256-GCM with a local key, or AWS KMS),
 * bound to where they belong: a sealed secret opened under another context fails, so a password
 * copied to another configuration or sandbox is useless.
 */
export interface SecretBox {
  seal(plain: string, context: SecretContext): Promise<SealedSecret>;
  /** Throws when the secret was not sealed by this box's key or under this context. */
  open(secret: SealedSecret, context: SecretContext): Promise<string>;
}

/** What a secret is bound to. */
export interface SecretContext {
  readonly sandbox: string;
  readonly configurationId: string;
  readonly field: string;
}

/** The field an SMTP password is sealed under. */
export const PASSWORD_FIELD = 'provider.password';
/** The field a DKIM private key is sealed under. */
export const DKIM_KEY_FIELD = 'provider.dkim.privateKey';

export function secretContext(record: { sandbox: string; id: string }, field: string): SecretContext {
  return { sandbox: record.sandbox, configurationId: record.id, field };
}

/** The provider as the API shows it: the SMTP password only as `passwordSet`, DKIM without its key. */
export function toProviderView(provider: StoredProvider): ProviderView {
  if (provider.type === 'sns-push')
    return { ...provider, applications: provider.applications.map((app) => ({ ...app })) };
  if (provider.type !== 'smtp') return { ...provider };
  const { password, dkim, ...rest } = provider;
  return {
    ...rest,
    passwordSet: password !== undefined,
    ...(dkim ? { dkim: { domainName: dkim.domainName, keySelector: dkim.keySelector } } : {}),
  };
}

export function toChannelConfigurationView(record: ChannelConfigurationRecord): ChannelConfigurationView {
  return {
    id: record.id,
    name: record.name,
    channel: record.channel,
    provider: toProviderView(record.provider),
    ...(record.rateLimitPerSec !== undefined ? { rateLimitPerSec: record.rateLimitPerSec } : {}),
    ...rateLimitView(record),
    ...(record.fallbackId !== undefined ? { fallback: record.fallbackId } : {}),
    default: record.isDefault,
    createdAt: record.createdAt,
    modifiedAt: record.modifiedAt,
  };
}

/** The limit the configuration's sends keep to, and what it counts (SMS: parts). */
function rateLimitView(record: ChannelConfigurationRecord) {
  const effective = effectiveRateLimit(record);
  return effective === undefined
    ? {}
    : ({
        effectiveRateLimitPerSec: effective,
        rateLimitUnit: record.channel === 'sms' ? 'parts' : 'messages',
      } as const);
}

/** The host an SMTP provider connects to, for the SSRF policy; none for the other providers. */
export function networkTarget(provider: { type: string; host?: string; port?: number }) {
  return provider.type === 'smtp' && provider.host !== undefined && provider.port !== undefined
    ? { host: provider.host, port: provider.port }
    : undefined;
}
