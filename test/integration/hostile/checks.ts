import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Case } from './corpus.ts';
import { type RawAnswer, sendRaw } from './raw-http.ts';

/** A problem document bigger than this is itself a fault (an echo of the input, 100,000 issues). */
export const MAX_PROBLEM_BYTES = 64 * 1024;

/** One broken promise of one case (or of a request made to check a case's outcome). */
export interface Offence {
  readonly id: number;
  readonly klass: string;
  readonly route: string;
  readonly name: string;
  readonly status: number;
  readonly what: string;
  readonly excerpt: string;
}

export const excerpt = (answer: RawAnswer): string =>
  (answer.error ? `${answer.error} ` : '') +
  answer.body
    .toString('utf8')
    .slice(0, 200)
    .replace(/[\r\n]+/g, ' ');

const parse = (answer: RawAnswer): unknown => {
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
};

/** What is wrong with a 4xx answer: it must be a small RFC 9457 problem naming the fields for a 400. */
export function problemFaults(answer: RawAnswer): string[] {
  const faults: string[] = [];
  const type = answer.headers['content-type'] ?? '';
  if (!/^application\/problem\+json\s*(;|$)/i.test(type)) faults.push(`content-type is ${type || '(none)'}`);
  const size = Number(answer.headers['content-length'] ?? answer.body.length);
  if (size >= MAX_PROBLEM_BYTES) faults.push(`problem is ${size} bytes`);
  if (answer.error) return [...faults, answer.error];
  const body = parse(answer) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return [...faults, 'body is not a JSON object'];
  for (const member of ['type', 'title'] as const) {
    if (typeof body[member] !== 'string' || body[member] === '') faults.push(`no ${member}`);
  }
  if (body.status !== answer.status) faults.push(`status member is ${JSON.stringify(body.status)}`);
  if (answer.status === 400) {
    const fields = Array.isArray(body.fields) ? (body.fields as { path?: unknown }[]) : [];
    if (!fields.some((f) => f && typeof f.path === 'string' && f.path !== ''))
      faults.push('no fields[].path');
  }
  return faults;
}

/** A GET made to follow up a case (read back what it created, poll an execution). */
export async function getJson(
  port: number,
  key: string,
  target: string,
): Promise<{ answer: RawAnswer; body: Record<string, unknown> | undefined }> {
  const answer = await sendRaw(port, {
    method: 'GET',
    target,
    headers: [['authorization', `Bearer ${key}`]],
  });
  const body = parse(answer);
  return { answer, body: body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined };
}

export async function postJson(port: number, key: string, target: string): Promise<RawAnswer> {
  return sendRaw(port, { method: 'POST', target, headers: [['authorization', `Bearer ${key}`]] });
}

/**
 * Polls until the condition holds or the time is up; no fixed sleeps. Returns whether it held.
 */
export async function until(
  condition: () => Promise<boolean>,
  limitMs: number,
  stepMs = 40,
): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

export interface QueueCounts {
  readonly url: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export async function queueCounts(sqs: SQSClient, urls: readonly string[]): Promise<QueueCounts[]> {
  return Promise.all(
    urls.map(async (url) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return {
        url,
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    }),
  );
}

/**
 * Whether every work queue is empty: nothing visible, delayed, or in flight beyond `stuck`. A worker
 * that fails on a message leaves it in flight for the queue's visibility timeout (minutes, longer
 * than the suite), so once a trigger is known not to settle its messages are counted as stuck and
 * later cases do not wait for them. Undefined when idle, else what is busy.
 */
export async function queuesIdle(
  sqs: SQSClient,
  urls: readonly string[],
  stuck: ReadonlyMap<string, number>,
): Promise<string | undefined> {
  const busy = (await queueCounts(sqs, urls)).filter(
    (q) => q.visible > 0 || q.delayed > 0 || q.inFlight > (stuck.get(q.url) ?? 0),
  );
  return busy.length > 0
    ? busy
        .map(
          (q) =>
            `${q.url.split('/').pop()}: ${q.visible} visible, ${q.inFlight} in flight, ${q.delayed} delayed`,
        )
        .join('; ')
    : undefined;
}

export const offence = (c: Case, status: number, what: string, text: string): Offence => ({
  id: c.id,
  klass: c.klass,
  route: c.route,
  name: c.name,
  status,
  what,
  excerpt: text,
});

/** The compact list the suite fails with: by class, then route, one line per case. */
export function report(offences: readonly Offence[]): string {
  const lines: string[] = [];
  const byClass = new Map<string, Offence[]>();
  for (const o of offences) byClass.set(o.klass, [...(byClass.get(o.klass) ?? []), o]);
  for (const [klass, list] of byClass) {
    lines.push(`== ${klass} (${list.length})`);
    // The first case of a class with a given answer shows it; later ones point back to it.
    const shown = new Map<string, number>();
    const byRoute = new Map<string, Offence[]>();
    for (const o of list) byRoute.set(o.route, [...(byRoute.get(o.route) ?? []), o]);
    for (const [route, items] of byRoute) {
      lines.push(`  ${route}`);
      for (const o of items) {
        const same = o.excerpt
          .replace(/"correlationId":"[^"]*"/g, '')
          .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID');
        const earlier = shown.get(same);
        const answer = !o.excerpt ? '' : earlier !== undefined ? ` (answer as #${earlier})` : '';
        lines.push(`    #${o.id} ${o.name.slice(0, 90)} → ${o.status || 'no answer'}: ${o.what}${answer}`);
        if (o.excerpt && earlier === undefined) {
          shown.set(same, o.id);
          lines.push(`      ${o.excerpt}`);
        }
      }
    }
  }
  return lines.join('\n');
}
