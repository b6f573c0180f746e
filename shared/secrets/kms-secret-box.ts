import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SealedSecret, SecretBox, SecretContext } from '../domain/channel-configuration.ts';

const PREFIX = 'kms1';

/** KMS's encryption context: the ciphertext decrypts only under the same one (and CloudTrail logs it). */
function encryptionContext(context: SecretContext): Record<string, string> {
  return {
    'herald:sandbox': context.sandbox,
    'herald:configuration': context.configurationId,
    'herald:field': context.field,
  };
}

/**
 * AWS KMS `Encrypt`/`Decrypt` under the stack's key (`HERALD_SECRETS_KMS_KEY_ID`): the key never
 * leaves KMS, the function that seals (channels API) may not open, and each secret is bound to its
 * sandbox, configuration and field by the encryption context. Secrets are small (≤ 1 KB; KMS takes
 * 4 KB), so no envelope is needed. Sealed form: `kms1.<ciphertext blob, base64url>`.
 */
export class KmsSecretBox implements SecretBox {
  private readonly client: KMSClient;
  private readonly keyId: string;

  constructor(client: KMSClient, keyId: string) {
    this.client = client;
    this.keyId = keyId;
  }

  async seal(plain: string, context: SecretContext): Promise<SealedSecret> {
    const { CiphertextBlob } = await this.client.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: Buffer.from(plain, 'utf8'),
        EncryptionContext: encryptionContext(context),
      }),
    );
    if (!CiphertextBlob) throw new Error('KMS returned no ciphertext');
    return { sealed: `${PREFIX}.${Buffer.from(CiphertextBlob).toString('base64url')}` };
  }

  async open(secret: SealedSecret, context: SecretContext): Promise<string> {
    const [prefix, blob] = secret.sealed.split('.');
    if (prefix !== PREFIX || !blob) throw new Error('not a secret sealed by the KMS box');
    const { Plaintext } = await this.client.send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: Buffer.from(blob, 'base64url'),
        EncryptionContext: encryptionContext(context),
      }),
    );
    if (!Plaintext) throw new Error('KMS returned no plaintext');
    return Buffer.from(Plaintext).toString('utf8');
  }
}
