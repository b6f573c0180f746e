import net from 'node:net';
import nodemailer, {
  type SendMailOptions,
  type SMTPPoolOptions,
  type SMTPPoolSentMessageInfo,
  type Transporter,
} from 'nodemailer';
import { ForbiddenAddressError, refusal } from '../domain/address-policy.ts';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from '../domain/channel.ts';
import { checkedHeaders, clipReason, type EmailSender } from '../domain/email.ts';
import { guardedLookup } from '../webhooks/http-sender.ts';

/** DKIM signing for a configuration's domain (the private key is a secret, like the password). */
export interface SmtpDkim {
  readonly domainName: string;
  readonly keySelector: string;
  /** PEM private key. */
  readonly privateKey: string;
}

/** One SMTP channel configuration, with its password already decrypted by the caller. */
export interface SmtpConfiguration extends EmailSender {
  /** Channel configuration id: the pool cache key, with `revision`. */
  readonly id: string;
  /** Bumped on every change of the configuration, so a changed one gets a new pool. */
  readonly revision: number;
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465). Otherwise STARTTLS is used when the server offers it. */
  readonly secure: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly dkim?: SmtpDkim;
  /**
   * Connections the pool may open to the server.
   * @default DEFAULT_MAX_CONNECTIONS (2)
   */
  readonly maxConnections?: number;
}

export interface SmtpProviderOptions {
  /**
   * Addresses the operator allows despite the SSRF policy (the local runtime allows loopback, as
   * for webhooks). Every address the host resolves to is checked at connect time.
   * @default () => false
   */
  readonly isAllowed?: (address: string) => boolean;
  /**
   * Milliseconds for connecting (name lookup included), the greeting, and each reply.
   * @default 15_000
   */
  readonly timeoutMs?: number;
  /** Extra TLS options, e.g. a test server's self-signed certificate. */
  readonly tls?: SMTPPoolOptions['tls'];
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** Connections a configuration's pool opens when it says nothing (channel configurations never do). */
export const DEFAULT_MAX_CONNECTIONS = 2;

/** 4xx replies that mean "slow down" rather than "try again" (RFC 5321 §4.2.2, §3.8; RFC 3207). */
const THROTTLING_REPLIES = new Set([421, 450, 451, 452, 454]);
/** 5xx replies that are about the mailbox, when the server gives no enhanced status code. */
const MAILBOX_REPLIES = new Set([550, 551, 553]);
/** Nodemailer codes for a failure before or around the SMTP dialogue: nothing was refused. */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL']);
/** Of those, the ones before any session: the server cannot have taken the message. */
const SESSIONLESS_CODES = new Set(['ECONNECTION', 'EDNS', 'ETLS']);

interface SmtpError {
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly message: string;
  readonly rejectedErrors?: readonly SmtpError[];
}

/**
 * Maps what nodemailer reports to Herald's outcome. With one recipient, a refused RCPT TO comes
 * back as EENVELOPE with the server's reply in `rejectedErrors`; a refused DATA carries it on the
 * error itself. Which 5xx is a bounce: an enhanced code 5.1.x (address) or 5.2.x (mailbox), or,
 * without one, 550/551/553; 5.7.x (policy, authentication) and the rest are errors, so a spam
 * filter's 550 5.7.1 never suppresses a good address. 503 (bad sequence) is a session fault, not
 * the message's, so it is retried like 4xx.
 */
export function smtpOutcome(error: SmtpError): SendOutcome {
  if (error instanceof ForbiddenAddressError) {
    return {
      kind: 'failed',
      status: 'error',
      code: 'smtp-forbidden-host',
      reason: clipReason(error.message),
    };
  }
  const reply = error.responseCode !== undefined ? error : (error.rejectedErrors?.[0] ?? error);
  const smtpCode = reply.responseCode;
  const text = clipReason(reply.response ?? reply.message);
  if (smtpCode === undefined) {
    if (error.code !== undefined && CONNECTION_CODES.has(error.code)) {
      return {
        kind: 'retry-later',
        code: `smtp-${error.code}`,
        reason: text,
        throttled: false,
        // No session (refused, no DNS answer, no TLS): the server took nothing.
        ...(SESSIONLESS_CODES.has(error.code) ? { providerDown: true } : {}),
      };
    }
    // EAUTH/ENOAUTH without a reply, ECONFIG, EENVELOPE (an address nodemailer will not send to).
    return { kind: 'failed', status: 'error', code: `smtp-${error.code ?? 'unknown'}`, reason: text };
  }
  const code = `smtp-${smtpCode}`;
  if ((smtpCode >= 400 && smtpCode < 500) || smtpCode === 503) {
    return { kind: 'retry-later', code, reason: text, throttled: THROTTLING_REPLIES.has(smtpCode), smtpCode };
  }
  const enhancedCode = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply.response ?? '')?.[1];
  const bounce = enhancedCode
    ? /^5\.[12]\./.test(enhancedCode)
    : smtpCode >= 500 && smtpCode < 600 && MAILBOX_REPLIES.has(smtpCode);
  return {
    kind: 'failed',
    status: bounce ? 'bounce' : 'error',
    code,
    reason: text,
    smtpCode,
    ...(enhancedCode ? { enhancedCode } : {}),
  };
}

/** The domain of an address, for the Message-ID (falls back to `herald.invalid`). */
function domainOf(address: string): string {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return /^[A-Za-z0-9.-]+$/.test(domain) ? domain : 'herald.invalid';
}

/**
 * Sends email over SMTP through one pooled set of connections for one channel configuration.
 *
 * Messages are multipart/alternative (text, then HTML) in UTF-8; nodemailer writes non-ASCII
 * headers as RFC 2047 encoded words and bodies as quoted-printable or base64. Each message gets
 * `Message-ID: <herald messageId@from domain>`, the same on every retry, so a receiving system
 * that de-duplicates by Message-ID (many do, e.g. in the mailbox view) shows one copy; SMTP itself
 * has no idempotency: a connection lost after the final "." and before the 250 reply leaves the
 * message possibly delivered, and the retry sends it again (RFC 1047). The pool never re-queues a
 * message on its own (`maxRequeues: 0`): every retry goes through Herald's job, with backoff.
 */
export class SmtpProvider implements ChannelProvider {
  readonly name = 'smtp';
  readonly idempotent = false;
  readonly configuration: SmtpConfiguration;
  readonly #transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

  constructor(configuration: SmtpConfiguration, options: SmtpProviderOptions = {}) {
    this.configuration = configuration;
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const isAllowed = options.isAllowed ?? (() => false);
    const { host, port, secure, username, password, dkim } = configuration;
    const poolOptions: SMTPPoolOptions & { pool: true } = {
      pool: true,
      host,
      port,
      secure,
      maxConnections: configuration.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxRequeues: 0,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(username !== undefined ? { auth: { user: username, pass: password ?? '' } } : {}),
      ...(dkim ? { dkim: { ...dkim } } : {}),
      // Our own socket, so the SSRF policy judges the very address the socket connects to.
      getSocket: (_options, callback) => {
        guardedConnect(host, port, isAllowed, timeout).then(
          (connection) => callback(null, { connection }),
          (error: Error) => callback(error),
        );
      },
      disableFileAccess: true,
      disableUrlAccess: true,
    };
    this.#transport = nodemailer.createTransport(poolOptions);
  }

  async send(message: OutgoingMessage, _now: Date): Promise<SendOutcome> {
    const { fromAddress, fromName, replyTo } = this.configuration;
    const { subject, html, text } = message.content;
    const mail: SendMailOptions = {
      from: fromName ? { name: fromName, address: fromAddress } : fromAddress,
      to: message.to,
      ...(replyTo ? { replyTo } : {}),
      subject: subject ?? '',
      ...(text !== undefined ? { text } : {}),
      ...(html !== undefined ? { html } : {}),
      messageId: `<${message.messageId}@${domainOf(fromAddress)}>`,
      headers: Object.fromEntries(checkedHeaders(message.headers)),
      envelope: { from: fromAddress, to: message.to },
      textEncoding: 'quoted-printable',
    };
    try {
      const info = await this.#transport.sendMail(mail);
      return { kind: 'accepted', providerMessageId: info.messageId, events: [] };
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      return smtpOutcome(error);
    }
  }

  /** Closes the pool: idle connections at once, busy ones after their message. */
  async close(): Promise<void> {
    this.#transport.close();
  }
}

/**
 * Connects to host:port, refusing forbidden addresses: a literal address is judged as given, a
 * name on each address it resolves to at connect time (so DNS rebinding cannot reach inside).
 */
async function guardedConnect(
  host: string,
  port: number,
  isAllowed: (address: string) => boolean,
  timeoutMs: number,
): Promise<net.Socket> {
  const literal = host.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(literal)) {
    const refused = refusal(literal, literal, isAllowed);
    if (refused) throw refused;
  }
  // The webhooks' connect-time guard: every address the name resolves to, as the socket uses it.
  const lookup = guardedLookup(isAllowed);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: literal, port, lookup, timeout: timeoutMs });
    const fail = (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error instanceof ForbiddenAddressError) return reject(error);
      // Refused, reset, unreachable, unknown name: nothing was sent, so the send is retried.
      const original = error.code ? ` (${error.code})` : '';
      reject(Object.assign(new Error(`${error.message}${original}`), { code: 'ECONNECTION' }));
    };
    socket.once('error', fail);
    socket.once('timeout', () =>
      fail(Object.assign(new Error(`connecting to ${host}:${port} timed out`), { code: 'ETIMEDOUT' })),
    );
    socket.once('connect', () => {
      socket.removeListener('error', fail);
      socket.removeAllListeners('timeout');
      socket.setTimeout(0);
      resolve(socket);
    });
  });
}

/**
 * One pooled provider per channel configuration, kept while its revision is current. A changed
 * configuration (new revision) closes the old pool; beyond `max` configurations the least
 * recently used pool is closed. `close()` closes them all (end of a test, container shutdown).
 */
export class SmtpProviderCache {
  readonly #providers = new Map<string, SmtpProvider>();
  readonly #options: SmtpProviderOptions;
  readonly #max: number;

  constructor(options: SmtpProviderOptions = {}, max = 32) {
    this.#options = options;
    this.#max = max;
  }

  get size(): number {
    return this.#providers.size;
  }

  /** The provider for this configuration revision, opening a pool on first use. */
  get(configuration: SmtpConfiguration): SmtpProvider {
    const cached = this.#providers.get(configuration.id);
    if (cached && cached.configuration.revision === configuration.revision) {
      // Re-insert: a Map iterates in insertion order, so the first entry is the least recent.
      this.#providers.delete(configuration.id);
      this.#providers.set(configuration.id, cached);
      return cached;
    }
    if (cached) void cached.close();
    this.#providers.delete(configuration.id);
    const provider = new SmtpProvider(configuration, this.#options);
    this.#providers.set(configuration.id, provider);
    for (const [id, stale] of this.#providers) {
      if (this.#providers.size <= this.#max) break;
      this.#providers.delete(id);
      void stale.close();
    }
    return provider;
  }

  /** Closes one configuration's pool (deleted or changed), or every pool. */
  async close(configurationId?: string): Promise<void> {
    const ids = configurationId === undefined ? [...this.#providers.keys()] : [configurationId];
    for (const id of ids) {
      const provider = this.#providers.get(id);
      this.#providers.delete(id);
      await provider?.close();
    }
  }
}
