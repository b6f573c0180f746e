import type { KMSClient } from '@aws-sdk/client-kms';
import { ConfigError, type HeraldConfig } from '../config.ts';
import type { SecretBox } from '../domain/channel-configuration.ts';
import { AesSecretBox } from '../secrets/aes-secret-box.ts';

/**
 * The box that seals and opens secrets kept in the table: KMS when the stack names its key, else
 * AES-256-GCM under HERALD_SECRETS_KEY (the local runtime provides one). A function that handles
 * secrets cannot start without either. The KMS client is loaded by `import()` at the first secret,
 * so a bundle holds it in a chunk that only a job or request with a secret loads (ADR 0031).
 */
export function secretBox(config: HeraldConfig, kms?: KMSClient): SecretBox {
  const keyId = config.HERALD_SECRETS_KMS_KEY_ID;
  if (keyId) {
    let box: Promise<SecretBox> | undefined;
    const kmsBox = () => {
      box ??= Promise.all([import('@aws-sdk/client-kms'), import('../secrets/kms-secret-box.ts')]).then(
        ([{ KMSClient }, { KmsSecretBox }]) => new KmsSecretBox(kms ?? new KMSClient({}), keyId),
      );
      return box;
    };
    return {
      seal: async (plain, context) => (await kmsBox()).seal(plain, context),
      open: async (secret, context) => (await kmsBox()).open(secret, context),
    };
  }
  if (config.HERALD_SECRETS_KEY) return new AesSecretBox(Buffer.from(config.HERALD_SECRETS_KEY, 'base64'));
  throw new ConfigError([
    {
      variable: 'HERALD_SECRETS_KEY',
      message: 'is required to keep SMTP passwords (or HERALD_SECRETS_KMS_KEY_ID, which the stack sets)',
    },
  ]);
}
