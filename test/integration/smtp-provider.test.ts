import { generateKeyPairSync, randomUUID } from 'node:crypto';
import net from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  type SmtpConfiguration,
  SmtpProvider,
  SmtpProviderCache,
  type SmtpProviderOptions,
} from '../../shared/channels/smtp-provider.ts';
import { UnsafeHeaderError } from '../../shared/domain/email.ts';
import { testEmail } from './email-fixture.ts';

/** What the test server received: each message parsed, raw, with its envelope and session. */
interface Received {
  parsed: ParsedMail;
  raw: string;
  mailFrom: string;
  rcptTo: string[];
  secure: boolean;
  user: string | undefined;
}

type Refusal = { stage: 'rcpt' | 'data'; code: number; text: string };

/**
 * A real SMTP server (nodemailer's smtp-server) on a free loopback port, stopped when the test
 * ends. `refuse` makes it answer RCPT TO or the end of DATA with an error reply.
 */
async function startSmtpServer(
  options: { refuse?: Refusal; starttls?: boolean; auth?: { user: string; pass: string } } = {},
) {
  const received: Received[] = [];
  let connections = 0;
  const refusal = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const serverOptions: SMTPServerOptions = {
    logger: false,
    disabledCommands: [...(options.starttls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass) {
        return callback(null, { user: auth.username });
      }
      return callback(refusal(535, '5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(_address, _session, callback) {
      if (options.refuse?.stage === 'rcpt')
        return callback(refusal(options.refuse.code, options.refuse.text));
      return callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.refuse?.stage === 'data')
          return callback(refusal(options.refuse.code, options.refuse.text));
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            received.push({
              parsed,
              raw: raw.toString('latin1'),
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              secure: session.secure,
              user: typeof session.user === 'string' ? session.user : undefined,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the SMTP server has no port');
  return { port: address.port, received, connections: () => connections };
}

const allowLoopback: SmtpProviderOptions = { isAllowed: (address) => address === '127.0.0.1' };

function configuration(port: number, extra: Partial<SmtpConfiguration> = {}): SmtpConfiguration {
  return {
    id: randomUUID(),
    revision: 1,
    host: '127.0.0.1',
    port,
    secure: false,
    fromAddress: 'news@shop.example.com',
    fromName: 'Zoë’s Shop',
    replyTo: 'help@shop.example.com',
    ...extra,
  };
}

/** A provider closed when the test ends, like the servers. */
function provider(config: SmtpConfiguration, options: SmtpProviderOptions = allowLoopback): SmtpProvider {
  const smtp = new SmtpProvider(config, options);
  onTestFinished(() => smtp.close());
  return smtp;
}

const email = testEmail;

const now = new Date('2030-01-01T00:00:00Z');

describe('SMTP provider against a real SMTP server', () => {
  it('sends multipart/alternative UTF-8 with an intact emoji subject, the sender, unsubscribe headers and a stable Message-ID', async () => {
    const smtp = await startSmtpServer();
    const message = email({
      headers: {
        'List-Unsubscribe': '<https://herald.example.com/u/tok>, <mailto:unsub@shop.example.com?subject=tok>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });

    const outcome = await provider(configuration(smtp.port)).send(message, now);

    expect(outcome).toEqual({
      kind: 'accepted',
      providerMessageId: `<${message.messageId}@shop.example.com>`,
      events: [],
    });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    if (!mail) throw new Error('no message');
    expect(mail.mailFrom).toBe('news@shop.example.com');
    expect(mail.rcptTo).toEqual(['ada@example.org']);
    const { parsed, raw } = mail;
    expect(parsed.subject).toBe('🎉 Flash sale');
    // On the wire the subject is an RFC 2047 encoded word: the header itself stays ASCII.
    expect(raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
    expect(raw).not.toContain('🎉');
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/im);
    expect(parsed.text?.trim()).toBe('Grüße, Ada — 20 % off today ✓');
    expect(parsed.html).toBe('<p>Grüße, <b>Ada</b> — 20 % off today ✓</p>');
    expect(parsed.from?.value).toEqual([{ name: 'Zoë’s Shop', address: 'news@shop.example.com' }]);
    expect(parsed.replyTo?.value).toEqual([{ name: '', address: 'help@shop.example.com' }]);
    expect(parsed.messageId).toBe(`<${message.messageId}@shop.example.com>`);
    // Header lines may be folded on the wire; a reader unfolds them (RFC 5322 §2.2.3).
    const headerBlock = (raw.split('\r\n\r\n')[0] ?? '').replace(/\r\n[ \t]+/g, ' ');
    expect(headerBlock).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(headerBlock).toContain(
      'List-Unsubscribe: <https://herald.example.com/u/tok>, <mailto:unsub@shop.example.com?subject=tok>',
    );
  });

  it('sends a text-only message as a single text/plain part', async () => {
    const smtp = await startSmtpServer();
    await provider(configuration(smtp.port)).send(
      email({ content: { subject: 'Reset', text: 'Code: 1234' } }),
      now,
    );
    const raw = smtp.received[0]?.raw ?? '';
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/im);
    expect(raw).not.toContain('multipart');
    expect(smtp.received[0]?.parsed.text?.trim()).toBe('Code: 1234');
  });

  it('upgrades with STARTTLS and authenticates with the configuration’s user and password', async () => {
    const smtp = await startSmtpServer({ starttls: true, auth: { user: 'herald', pass: 's3cret' } });
    const config = configuration(smtp.port, { username: 'herald', password: 's3cret' });
    // The test server's certificate is its built-in self-signed one.
    const outcome = await provider(config, { ...allowLoopback, tls: { rejectUnauthorized: false } }).send(
      email(),
      now,
    );
    expect(outcome.kind).toBe('accepted');
    expect(smtp.received[0]?.secure).toBe(true);
    expect(smtp.received[0]?.user).toBe('herald');
  });

  it('reports a refused password as an error carrying the SMTP code, not a retry', async () => {
    const smtp = await startSmtpServer({ starttls: true, auth: { user: 'herald', pass: 's3cret' } });
    const config = configuration(smtp.port, { username: 'herald', password: 'wrong' });
    const outcome = await provider(config, { ...allowLoopback, tls: { rejectUnauthorized: false } }).send(
      email(),
      now,
    );
    expect(outcome).toMatchObject({ kind: 'failed', status: 'error', code: 'smtp-535', smtpCode: 535 });
    expect(smtp.received).toEqual([]);
  });

  it('signs with DKIM when the configuration has a key, covering the unsubscribe headers', async () => {
    const smtp = await startSmtpServer();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const config = configuration(smtp.port, {
      dkim: {
        domainName: 'shop.example.com',
        keySelector: 'herald',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    await provider(config).send(
      email({
        headers: {
          'List-Unsubscribe': '<https://herald.example.com/u/tok>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      }),
      now,
    );
    const header = (smtp.received[0]?.raw ?? '').split('\r\n\r\n')[0] ?? '';
    const unfolded = header.replace(/\r\n[ \t]+/g, ' ');
    const signature = /^DKIM-Signature: (.*)$/im.exec(unfolded)?.[1] ?? '';
    expect(signature).toContain('d=shop.example.com;');
    expect(signature).toContain('s=herald;');
    const signedHeaders = /\bh=([^;]+);/.exec(signature)?.[1]?.replace(/\s+/g, '').toLowerCase() ?? '';
    expect(signedHeaders.split(':')).toEqual(
      expect.arrayContaining(['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post']),
    );
  });

  it('reuses one pooled connection for several messages of one configuration', async () => {
    const smtp = await startSmtpServer();
    const smtpProvider = provider(configuration(smtp.port, { maxConnections: 1 }));
    // Side by side (they queue for the one connection), then one more after they are done.
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => smtpProvider.send(email(), now)));
    outcomes.push(await smtpProvider.send(email(), now));

    expect(outcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(smtp.received).toHaveLength(5);
    expect(smtp.connections()).toBe(1);
  });

  it.each([
    [421, '4.7.0 Too many connections, slow down'],
    [450, '4.2.1 Mailbox busy, try later'],
    [451, '4.7.1 Greylisted, please try again later'],
    [452, '4.5.3 Too many recipients this hour'],
    [454, '4.7.0 Temporary authentication failure'],
  ])(
    'maps a %i reply to a throttled retry with the code and text, never an exclusion',
    async (code, text) => {
      const smtp = await startSmtpServer({ refuse: { stage: 'rcpt', code, text } });
      const outcome = await provider(configuration(smtp.port)).send(email(), now);
      expect(outcome).toEqual({
        kind: 'retry-later',
        code: `smtp-${code}`,
        reason: `${code} ${text}`,
        throttled: true,
        smtpCode: code,
      });
    },
  );

  it('maps a 4xx answer at the end of DATA to a retry too', async () => {
    const smtp = await startSmtpServer({ refuse: { stage: 'data', code: 451, text: '4.3.0 Queue full' } });
    const outcome = await provider(configuration(smtp.port)).send(email(), now);
    expect(outcome).toMatchObject({ kind: 'retry-later', code: 'smtp-451', smtpCode: 451, throttled: true });
  });

  it('maps 550 5.1.1 (no such mailbox) at RCPT TO to a bounce with the SMTP code, text and enhanced code', async () => {
    const smtp = await startSmtpServer({
      refuse: { stage: 'rcpt', code: 550, text: '5.1.1 No such user here' },
    });
    const outcome = await provider(configuration(smtp.port)).send(email(), now);
    expect(outcome).toEqual({
      kind: 'failed',
      status: 'bounce',
      code: 'smtp-550',
      reason: '550 5.1.1 No such user here',
      smtpCode: 550,
      enhancedCode: '5.1.1',
    });
    expect(smtp.received).toEqual([]);
  });

  it.each([
    [551, 'User not local'],
    [553, 'Mailbox name not allowed'],
  ])('maps %i without an enhanced code to a bounce', async (code, text) => {
    const smtp = await startSmtpServer({ refuse: { stage: 'rcpt', code, text } });
    const outcome = await provider(configuration(smtp.port)).send(email(), now);
    expect(outcome).toMatchObject({ kind: 'failed', status: 'bounce', code: `smtp-${code}`, smtpCode: code });
  });

  it('maps a policy refusal (550 5.7.1) and other 5xx answers to an error, so the address is not suppressed', async () => {
    const policy = await startSmtpServer({
      refuse: { stage: 'data', code: 550, text: '5.7.1 Message rejected as spam' },
    });
    expect(await provider(configuration(policy.port)).send(email(), now)).toEqual({
      kind: 'failed',
      status: 'error',
      code: 'smtp-550',
      reason: '550 5.7.1 Message rejected as spam',
      smtpCode: 550,
      enhancedCode: '5.7.1',
    });
    const other = await startSmtpServer({ refuse: { stage: 'data', code: 554, text: 'Transaction failed' } });
    expect(await provider(configuration(other.port)).send(email(), now)).toMatchObject({
      kind: 'failed',
      status: 'error',
      code: 'smtp-554',
      smtpCode: 554,
    });
  });

  it('maps a refused connection to a retry (nothing was sent)', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address() as net.AddressInfo; // listen() on a port gives an AddressInfo
        probe.close(() => resolve(address.port));
      });
    });
    const outcome = await provider(configuration(closedPort)).send(email(), now);
    expect(outcome).toMatchObject({ kind: 'retry-later', throttled: false });
    expect(outcome.kind === 'retry-later' && outcome.code).toMatch(/^smtp-E[A-Z]+$/);
  });

  it('refuses a loopback host unless the operator allows it, without connecting', async () => {
    const smtp = await startSmtpServer();
    const outcome = await provider(configuration(smtp.port), {}).send(email(), now);
    expect(outcome).toMatchObject({ kind: 'failed', status: 'error', code: 'smtp-forbidden-host' });
    expect(outcome.kind === 'failed' && outcome.reason).toContain('loopback');
    expect(smtp.connections()).toBe(0);
  });

  it('refuses a header that would inject another header, before connecting', async () => {
    const smtp = await startSmtpServer();
    const injected = email({
      headers: { 'List-Unsubscribe': '<https://x.example>\r\nBcc: victim@example.org' },
    });
    await expect(provider(configuration(smtp.port)).send(injected, now)).rejects.toThrow(UnsafeHeaderError);
    await expect(
      provider(configuration(smtp.port)).send(email({ headers: { From: 'x@y.z' } }), now),
    ).rejects.toThrow(UnsafeHeaderError);
    expect(smtp.connections()).toBe(0);
  });
});

describe('SMTP provider cache', () => {
  it('keeps one pool per configuration revision and opens a new one when the revision changes', async () => {
    const smtp = await startSmtpServer();
    const cache = new SmtpProviderCache(allowLoopback);
    onTestFinished(() => cache.close());
    const config = configuration(smtp.port);

    const first = cache.get(config);
    expect(cache.get({ ...config })).toBe(first);
    await first.send(email(), now);
    await cache.get(config).send(email(), now);
    expect(smtp.connections()).toBe(1);

    const changed = cache.get({ ...config, revision: 2, fromAddress: 'deals@shop.example.com' });
    expect(changed).not.toBe(first);
    await changed.send(email(), now);
    expect(smtp.received.map((m) => m.mailFrom)).toEqual([
      'news@shop.example.com',
      'news@shop.example.com',
      'deals@shop.example.com',
    ]);
    expect(smtp.connections()).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('closes the least recently used pool beyond its size, and every pool on close()', async () => {
    const smtp = await startSmtpServer();
    const cache = new SmtpProviderCache(allowLoopback, 2);
    onTestFinished(() => cache.close());
    const [a, b, c] = [configuration(smtp.port), configuration(smtp.port), configuration(smtp.port)];
    const first = cache.get(a);
    cache.get(b);
    cache.get(a); // a is now the most recent
    cache.get(c); // so b goes
    expect(cache.size).toBe(2);
    expect(cache.get(a)).toBe(first);
    await cache.close(a.id);
    expect(cache.size).toBe(1);
    await cache.close();
    expect(cache.size).toBe(0);
  });
});
