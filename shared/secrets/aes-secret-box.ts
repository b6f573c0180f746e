import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedSecret, SecretBox, SecretContext } from '../domain/channel-configuration.ts';

const PREFIX = 'aes1';

/** The context as additional authenticated data: the ciphertext opens only where it was sealed. */
export function contextBytes(context: SecretContext): Buffer {
  return Buffer.from(JSON.stringify([context.sandbox, context.configurationId, context.field]), 'utf8');
}

/**
 * AES-256-GCM with a 32-byte key held outside the table (`HERALD_SECRETS_KEY`; the local runtime
 * keeps one in its data folder). Sealed form: `aes1.<key id>.<iv>.<ciphertext+tag>` (base64url), the
 * key id being the first 8 hex digits of the key's SHA-256, so a secret sealed under another key is
 * told apart from a forged one.
 */
export class AesSecretBox implements SecretBox {
  private readonly key: Buffer;
  private readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('an AES-256 key is 32 bytes');
    this.key = key;
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  async seal(plain: string, context: SecretContext): Promise<SealedSecret> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(contextBytes(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { sealed: [PREFIX, this.keyId, iv.toString('base64url'), body.toString('base64url')].join('.') };
  }

  async open(secret: SealedSecret, context: SecretContext): Promise<string> {
    const [prefix, keyId, iv, body] = secret.sealed.split('.');
    if (prefix !== PREFIX || !iv || !body) throw new Error('not a secret sealed by the AES box');
    if (keyId !== this.keyId)
      throw new Error(`sealed with another key (${keyId}); this box has ${this.keyId}`);
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < 16) throw new Error('sealed secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  }
}
