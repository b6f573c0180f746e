import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretContext } from '../../shared/domain/channel-configuration.ts';
import { AesSecretBox } from '../../shared/secrets/aes-secret-box.ts';

const context = secretContext({ sandbox: 'prod', id: 'conf-1' }, 'provider.password');

describe('the AES secret box', () => {
  const box = new AesSecretBox(randomBytes(32));

  it('opens what it sealed, and never shows the clear text in the sealed form', async () => {
    const sealed = await box.seal('hunter2 🎉', context);
    expect(sealed.sealed).toMatch(/^aes1\.[0-9a-f]{8}\./);
    expect(sealed.sealed).not.toContain('hunter2');
    expect(await box.open(sealed, context)).toBe('hunter2 🎉');
    // A fresh IV each time: the same secret seals differently.
    expect((await box.seal('hunter2 🎉', context)).sealed).not.toBe(sealed.sealed);
  });

  it.each([
    ['another sandbox', { ...context, sandbox: 'dev' }],
    ['another configuration', { ...context, configurationId: 'conf-2' }],
    ['another field', { ...context, field: 'provider.username' }],
  ])('refuses to open it under %s', async (_what, other) => {
    const sealed = await box.seal('hunter2', context);
    await expect(box.open(sealed, other)).rejects.toThrow();
  });

  it('refuses a tampered, truncated or foreign secret', async () => {
    const sealed = await box.seal('hunter2', context);
    const parts = sealed.sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    const tampered = [...parts.slice(0, 3), body.toString('base64url')].join('.');
    await expect(box.open({ sealed: tampered }, context)).rejects.toThrow();
    await expect(box.open({ sealed: [...parts.slice(0, 3), 'AAAA'].join('.') }, context)).rejects.toThrow(
      /truncated/,
    );
    await expect(box.open({ sealed: 'kms1.AAAA' }, context)).rejects.toThrow(
      /not a secret sealed by the AES box/,
    );
    const other = new AesSecretBox(randomBytes(32));
    await expect(other.open(sealed, context)).rejects.toThrow(/sealed with another key/);
  });

  it('takes only a 32-byte key', () => {
    expect(() => new AesSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
