import { KMSClient } from '@aws-sdk/client-kms';
import { ConfigError, type HeraldConfig } from '../config.ts';
import type { SecretBox } from '../domain/channel-configuration.ts';
import { AesSecretBox } from '../secrets/aes-secret-box.ts';
import { KmsSecretBox } from '../secrets/kms-secret-box.ts';

/**
 * The box that seals and opens secrets kept in the table: KMS when the stack names its key, else
 * AES-256-GCM under HERALD_SECRETS_KEY (the local runtime provides one). A function that handles
 * secrets cannot start without either.
 */
export function secretBox(config: HeraldConfig, kms?: KMSClient): SecretBox {
  if (config.HERALD_SECRETS_KMS_KEY_ID)
    return new KmsSecretBox(kms ?? new KMSClient({}), config.HERALD_SECRETS_KMS_KEY_ID);
  if (config.HERALD_SECRETS_KEY) return new AesSecretBox(Buffer.from(config.HERALD_SECRETS_KEY, 'base64'));
  throw new ConfigError([
    {
      variable: 'HERALD_SECRETS_KEY',
      message: 'is required to keep SMTP passwords (or HERALD_SECRETS_KMS_KEY_ID, which the stack sets)',
    },
  ]);
}
