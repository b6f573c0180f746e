import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_WINDOW_MS } from '../../shared/domain/provider-health.ts';
import { DynamoDbProviderHealthStore } from '../../shared/store/provider-health-store.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';
import { closedPort } from './moto.ts';
import { waitFor } from './receiver.ts';

/**
 * Provider failover through the runtime (ADR 0021), with primaries that really fail: an SMTP
 * relay on a port nothing listens on (connection refused) that later comes up, and an SES
 * endpoint answering 503 (the real SDK client parses it). The fallback is a real SMTP server.
 * Each test counts what every provider received: a message is sent by at most one.
 */
interface Sink {
  readonly port: number;
  readonly received: string[];
  stop(): Promise<void>;
}

async function startSink(port = 0): Promise<Sink> {
  const received: string[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    // Herald's pool keeps its connection open; a stopping sink closes it rather than waiting.
    closeTimeout: 100,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail.to && !Array.isArray(mail.to) ? mail.to.text : '?');
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.server.address() as AddressInfo; // listen() on a port gives an AddressInfo
  return {
    port: address.port,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An HTTP server answering every request 503, as SES does when it is down; counts the requests. */
async function startDownSes(): Promise<{ url: string; requests: () => number; stop(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    request.resume();
    request.on('end', () => {
      response.writeHead(503, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ServiceUnavailable',
      });
      response.end(JSON.stringify({ message: 'Service Unavailable' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, // listen() on a port gives an AddressInfo
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Recipient = {
  status: string;
  statusCode?: string;
  history: { status: string; code?: string; reason?: string }[];
};
type Execution = { recipients: Recipient[] };

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let fallbackSink: Sink;
let downSes: Awaited<ReturnType<typeof startDownSes>>;
let fallbackId: string;

const smtp = (name: string, port: number, extra: Record<string, unknown> = {}) => ({
  name,
  channel: 'email',
  provider: { type: 'smtp', host: '127.0.0.1', port, secure: false, fromAddress: 'herald@example.com' },
  ...extra,
});

beforeAll(async () => {
  fallbackSink = await startSink();
  downSes = await startDownSes();
  // The dispatcher's SES client is built by the SDK from the environment, as on Lambda.
  process.env.AWS_ENDPOINT_URL_SESV2 = downSes.url;
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['admin']));
  const fallback = await api.post<{ id: string }>(
    '/channel-configurations',
    smtp('fallback relay', fallbackSink.port),
  );
  expect(fallback.status, JSON.stringify(fallback.body)).toBe(201);
  fallbackId = fallback.body.id;
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SESV2;
  await herald?.stop();
  await fallbackSink?.stop();
  await downSes?.stop();
});

let counter = 0;
async function send(configurationId: string, to: string): Promise<Recipient> {
  const campaign = await api.post<{ id: string }>('/campaigns', {
    ...emailCampaign,
    name: `failover ${++counter}`,
    createNewProfiles: true,
    channelConfigurationId: configurationId,
  });
  expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
  expect((await api.post(`/campaigns/${campaign.body.id}/activate`)).status).toBe(200);
  const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
    requestId: `failover-${counter}`,
    campaignId: campaign.body.id,
    recipients: [{ type: 'aep', userId: to, namespace: 'email', context: { link: 'https://example.com' } }],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  let last: Execution | undefined;
  await waitFor(async () => {
    last = (await api.get<Execution>(`/executions/${answer.body.executionId}`)).body;
    return last.recipients.every((r) => r.status !== 'queued');
  }, 'the message to be sent');
  return (last as Execution).recipients[0] as Recipient;
}

describe('provider failover', () => {
  it('sends through the fallback when the primary refuses connections, and through the primary once it is back', async () => {
    const port = await closedPort();
    const primary = await api.post<{ id: string; fallback: string }>(
      '/channel-configurations',
      smtp('primary relay', port, { fallback: fallbackId }),
    );
    expect(primary.status, JSON.stringify(primary.body)).toBe(201);
    expect(primary.body.fallback).toBe(fallbackId);

    const moved = await send(primary.body.id, 'down@example.org');
    expect(moved.status).toBe('sent');
    expect(moved.history.at(-1)).toMatchObject({
      status: 'sent',
      code: 'failover',
      reason: expect.stringMatching(
        new RegExp(
          `^Sent by the fallback: moved from configuration ${primary.body.id} \\(smtp-ECONNECTION: .+\\) to its fallback ${fallbackId} \\(smtp\\)\\.$`,
        ),
      ),
    });
    expect(fallbackSink.received.filter((to) => to === 'down@example.org')).toHaveLength(1);

    // The primary recovers: the next message is its own, the fallback gets nothing more.
    const recovered = await startSink(port);
    try {
      const back = await send(primary.body.id, 'back@example.org');
      expect(back.status).toBe('sent');
      expect(back.history.at(-1)?.code).toBeUndefined();
      expect(recovered.received).toEqual(['back@example.org']);
      expect(fallbackSink.received).not.toContain('back@example.org');
    } finally {
      await recovered.stop();
    }
  });

  it('sends through the fallback when SES answers 503, calling SES once', async () => {
    const primary = await api.post<{ id: string }>('/channel-configurations', {
      name: 'ses primary',
      channel: 'email',
      provider: { type: 'ses', fromAddress: 'herald@example.com' },
      fallback: fallbackId,
    });
    expect(primary.status, JSON.stringify(primary.body)).toBe(201);
    const before = downSes.requests();
    const moved = await send(primary.body.id, 'ses-down@example.org');
    expect(moved.status).toBe('sent');
    expect(moved.history.at(-1)).toMatchObject({
      code: 'failover',
      reason: expect.stringContaining('(ses-ServiceUnavailable: Service Unavailable)'),
    });
    expect(downSes.requests() - before).toBe(1);
    expect(fallbackSink.received.filter((to) => to === 'ses-down@example.org')).toHaveLength(1);
  });

  it('keeps a message without a fallback on the primary: delayed for a retry, not moved', async () => {
    const primary = await api.post<{ id: string }>(
      '/channel-configurations',
      smtp('alone', await closedPort()),
    );
    const waiting = await send(primary.body.id, 'alone@example.org');
    expect(waiting).toMatchObject({ status: 'delay', statusCode: 'smtp-ECONNECTION' });
    expect(fallbackSink.received).not.toContain('alone@example.org');
  });

  it('refuses a fallback of another channel, a sandbox provider, itself, unknown, or a cycle, writing nothing', async () => {
    const sms = await api.post<{ id: string }>('/channel-configurations', {
      name: 'sms',
      channel: 'sms',
      provider: { type: 'sns-sms' },
    });
    const sandboxProvider = await api.post<{ id: string }>('/channel-configurations', {
      name: 'sandbox email',
      channel: 'email',
      provider: { type: 'sandbox' },
    });
    const refused = async (answer: Promise<{ status: number; body: unknown }>, message: RegExp) => {
      const { status, body } = await answer;
      expect(status, JSON.stringify(body)).toBe(400);
      expect((body as { fields: unknown[] }).fields).toEqual([
        { path: 'body.fallback', message: expect.stringMatching(message) },
      ]);
    };
    const count = async () =>
      (await api.get<{ items: unknown[] }>('/channel-configurations')).body.items.length;
    const before = await count();
    await refused(
      api.post('/channel-configurations', smtp('x', 2525, { fallback: sms.body.id })),
      /sms channel/,
    );
    await refused(
      api.post('/channel-configurations', smtp('x', 2525, { fallback: sandboxProvider.body.id })),
      /sandbox-provider/,
    );
    await refused(
      api.post(
        '/channel-configurations',
        smtp('x', 2525, { fallback: '01900000-0000-7000-8000-000000000000' }),
      ),
      /not a channel configuration of this sandbox/,
    );
    expect(await count()).toBe(before);

    // a → fallback; then fallback → a would be a cycle; a → a is itself.
    const a = await api.post<{ id: string }>(
      '/channel-configurations',
      smtp('a', 2525, { fallback: fallbackId }),
    );
    await refused(api.patch(`/channel-configurations/${fallbackId}`, { fallback: a.body.id }), /cycle/);
    await refused(api.patch(`/channel-configurations/${a.body.id}`, { fallback: a.body.id }), /itself/);
    expect(
      (await api.get<{ fallback?: string }>(`/channel-configurations/${fallbackId}`)).body.fallback,
    ).toBeUndefined();
    // null removes a fallback.
    const cleared = await api.patch<{ fallback?: string }>(`/channel-configurations/${a.body.id}`, {
      fallback: null,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.fallback).toBeUndefined();
  });
});

type Health = {
  recentFailures: number;
  windowMinutes: number;
  lastFailureAt?: string;
  lastFailureCode?: string;
  lastFailureReason?: string;
  lastSuccessAt?: string;
};
type Configuration = { id: string; health?: Health };

describe('provider health on the channel configuration', () => {
  it('shows a primary answering 503 with its recent failures and reason, the fallback with its success, to its sandbox only', async () => {
    const primary = await api.post<{ id: string }>('/channel-configurations', {
      name: 'ses watched',
      channel: 'email',
      provider: { type: 'ses', fromAddress: 'herald@example.com' },
      fallback: fallbackId,
    });
    expect(primary.status, JSON.stringify(primary.body)).toBe(201);
    const fresh = await api.get<Configuration>(`/channel-configurations/${primary.body.id}`);
    expect(fresh.body.health).toEqual({ recentFailures: 0, windowMinutes: 30 });

    expect((await send(primary.body.id, 'health-1@example.org')).status).toBe('sent');
    expect((await send(primary.body.id, 'health-2@example.org')).status).toBe('sent');

    const read = await api.get<Configuration>(`/channel-configurations/${primary.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.health).toEqual({
      recentFailures: 2,
      windowMinutes: 30,
      lastFailureAt: expect.any(String),
      lastFailureCode: 'ses-ServiceUnavailable',
      lastFailureReason: 'Service Unavailable',
    });
    const fallback = await api.get<Configuration>(`/channel-configurations/${fallbackId}`);
    expect(fallback.body.health).toMatchObject({ recentFailures: 0, lastSuccessAt: expect.any(String) });
    const list = await api.get<{ items: Configuration[] }>('/channel-configurations');
    expect(list.body.items.find((c) => c.id === primary.body.id)?.health).toEqual(read.body.health);

    // Another sandbox cannot read the configuration, nor its health.
    const { api: other } = await sandboxWithKey(herald, ['admin']);
    expect((await other.get(`/channel-configurations/${primary.body.id}`)).status).toBe(404);
    const theirs = await other.get<{ items: Configuration[] }>('/channel-configurations');
    expect(theirs.body.items.map((c) => c.id)).not.toContain(primary.body.id);
  });

  it('counts failures in 15-minute windows: the current one and the one before (the store, with an injected clock)', async () => {
    const store = new DynamoDbProviderHealthStore(herald.clients.dynamodb, herald.tableName);
    const start = Math.ceil(Date.parse('2030-01-01T00:00:00.000Z') / HEALTH_WINDOW_MS) * HEALTH_WINDOW_MS;
    const failure = (at: number) => ({
      failures: 1,
      lastFailure: { at: new Date(at).toISOString(), code: 'smtp-ECONNECTION', reason: 'refused' },
    });
    const sandbox = `health-${Date.now()}`;
    await store.record(sandbox, 'c1', failure(start + 1_000), start + 1_000);
    await Promise.all([
      store.record(sandbox, 'c1', failure(start + 2_000), start + 2_000),
      store.record(sandbox, 'c1', failure(start + 3_000), start + 3_000),
    ]);
    expect(await store.get(sandbox, 'c1')).toMatchObject({ windowStart: start, failures: 3 });
    // The next window keeps the last one's count; two windows later it is gone.
    const next = start + HEALTH_WINDOW_MS + 5_000;
    await store.record(sandbox, 'c1', failure(next), next);
    expect(await store.get(sandbox, 'c1')).toMatchObject({
      windowStart: start + HEALTH_WINDOW_MS,
      failures: 1,
      previousFailures: 3,
    });
    const later = start + 3 * HEALTH_WINDOW_MS;
    await store.record(sandbox, 'c1', failure(later), later);
    expect(await store.get(sandbox, 'c1')).toMatchObject({ failures: 1, previousFailures: 0 });
    // A success alone touches no count.
    await store.record(sandbox, 'c1', { failures: 0, succeededAt: new Date(later).toISOString() }, later);
    expect(await store.get(sandbox, 'c1')).toMatchObject({
      failures: 1,
      lastSuccessAt: new Date(later).toISOString(),
    });
  });
});
