import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkUrlPolicy, refusal, type UrlPolicy, type UrlRefusal } from '../domain/address-policy.ts';
import type { SendResult, WebhookSender } from '../domain/webhook.ts';

/** The first bytes of an answer kept in the attempt log. */
export const RESPONSE_EXCERPT_BYTES = 1_024;

export interface SenderOptions extends UrlPolicy {
  /** Connections kept per receiver origin: bounds concurrency per endpoint. @default 8 */
  readonly maxSocketsPerOrigin?: number;
  /** Name resolution; tests pass one that answers chosen addresses. @default dns.lookup */
  readonly resolve?: typeof dns.lookup;
}

/**
 * A name lookup that refuses forbidden addresses at connect time: the check runs on the very
 * addresses the socket connects to, so a name that resolves differently on a second lookup (DNS
 * rebinding) cannot reach inside.
 */
export function guardedLookup(
  isAllowed: (a: string) => boolean,
  resolve: typeof dns.lookup = dns.lookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as dns.LookupAddress[];
      for (const entry of list) {
        const refused = refusal(hostname, entry.address, isAllowed);
        if (refused) return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`) as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs webhook deliveries over keep-alive connections, never following redirects, refusing
 * forbidden addresses (literal or resolved), and giving up at the timeout.
 */
export function createWebhookSender(options: SenderOptions): WebhookSender {
  const lookup = guardedLookup(options.isAllowed, options.resolve);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerOrigin ?? 8, lookup };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  return {
    async post(url, headers, body, timeoutMs) {
      const started = performance.now();
      const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return { error: 'the URL is not valid', durationMs: elapsed() };
      }
      // Names are judged at connect time, in the guarded lookup.
      const verdict = checkUrlPolicy(target, options, { refuseCredentials: false });
      if ('rule' in verdict) return { error: refusedBefore(verdict), durationMs: elapsed() };
      const transport = target.protocol === 'https:' ? https : http;
      return new Promise<SendResult>((resolve) => {
        let request: http.ClientRequest | undefined;
        try {
          request = transport.request(
            target,
            {
              method: 'POST',
              agent: agents[target.protocol as 'http:' | 'https:'],
              headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
              signal: AbortSignal.timeout(timeoutMs),
            },
            (response) => {
              const chunks: Buffer[] = [];
              let kept = 0;
              response.on('data', (chunk: Buffer) => {
                if (kept < RESPONSE_EXCERPT_BYTES) {
                  chunks.push(chunk);
                  kept += chunk.length;
                }
              });
              response.on('end', () =>
                resolve({
                  statusCode: response.statusCode ?? 0,
                  headers: response.headers,
                  body: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8'),
                  durationMs: elapsed(),
                }),
              );
              response.on('error', (error) => resolve({ error: error.message, durationMs: elapsed() }));
            },
          );
          request.on('error', (error: Error) => {
            resolve({ error: describe(error, timeoutMs), durationMs: elapsed() });
          });
          request.end(body);
        } catch (error) {
          // Node refuses some requests by throwing, not by an 'error' event: a header value it
          // cannot carry (ERR_INVALID_CHAR), a name that is not a token (ERR_INVALID_HTTP_TOKEN),
          // an old configuration saved before those were checked. That is a failed attempt with
          // its reason, never an exception that would send the delivery job round again.
          request?.destroy();
          const reason = error instanceof Error ? describe(error, timeoutMs) : String(error);
          resolve({ error: `refused before sending: ${reason}`, durationMs: elapsed() });
        }
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** A refusal before connecting, in the attempt log's words. */
function refusedBefore(refused: UrlRefusal): string {
  switch (refused.rule) {
    case 'scheme':
      return `refused: ${refused.protocol} URLs are not allowed`;
    case 'credentials':
      return 'refused: the URL carries credentials';
    case 'port':
      return `refused: ${refused.reason}`;
    case 'address':
      return refused.error.message;
  }
}

/** A connection error in words: Node's multi-address connect reports an AggregateError with no message. */
function describe(error: Error, timeoutMs: number): string {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const code = (error as NodeJS.ErrnoException).code;
  if (error.message)
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  return code ?? error.name;
}
