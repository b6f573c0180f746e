import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createSesClient, quotedName, SesProvider } from '../../shared/channels/ses-provider.ts';
import { testEmail } from './email-fixture.ts';
import { type Moto, motoSentMessages, startMoto } from './moto.ts';

/**
 * The SES provider against moto_server (Python moto, the SES v2 API over HTTP). moto must be
 * installed (`pip install 'moto[server]'`): without it this file fails, it never skips.
 */

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/**
 * The request bodies this client put on the wire, recorded by an SDK middleware after
 * serialization. moto does not keep tags, headers or the configuration set, so the test reads
 * them here, from exactly what SES would have received.
 */
function recordRequests(client: SESv2Client): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown }; // an HttpRequest once serialized
      const body = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : request.body;
      if (typeof body === 'string') bodies.push(JSON.parse(body) as Record<string, unknown>);
      else throw new Error(`an SES request body of type ${typeof body}`);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  );
  return bodies;
}

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

function client(endpoint = moto.url): SESv2Client {
  const ses = createSesClient({ endpoint, region: 'us-east-1', credentials });
  onTestFinished(() => ses.destroy());
  return ses;
}

const email = testEmail;

const now = new Date('2030-01-01T00:00:00Z');

describe('SES provider against moto_server', () => {
  it('sends subject, HTML and text, the sender, headers, configuration set and Herald’s tags', async () => {
    const ses = client();
    const domain = `${randomUUID().slice(0, 8)}.example.com`;
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: domain }));
    const wire = recordRequests(ses);
    const provider = new SesProvider(ses, {
      fromAddress: `news@${domain}`,
      fromName: 'Zoë’s Shop',
      replyTo: `help@${domain}`,
      configurationSet: 'herald-events',
    });
    const message = email({
      headers: {
        'List-Unsubscribe': '<https://herald.example.com/u/tok>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });

    const outcome = await provider.send(message, now);

    expect(outcome.kind).toBe('accepted');
    const providerMessageId = outcome.kind === 'accepted' ? outcome.providerMessageId : '';
    expect(providerMessageId).not.toBe('');
    const sent = (await motoSentMessages(moto.url)).find((m) => m.id === providerMessageId);
    expect(sent).toEqual({
      id: providerMessageId,
      source: `=?UTF-8?B?${Buffer.from('Zoë’s Shop').toString('base64')}?= <news@${domain}>`,
      subject: '🎉 Flash sale',
      body: '<p>Grüße, <b>Ada</b> — 20 % off today ✓</p>',
      destinations: { ToAddresses: ['ada@example.org'] },
    });
    expect(wire).toEqual([
      {
        FromEmailAddress: `=?UTF-8?B?${Buffer.from('Zoë’s Shop').toString('base64')}?= <news@${domain}>`,
        Destination: { ToAddresses: ['ada@example.org'] },
        ReplyToAddresses: [`help@${domain}`],
        Content: {
          Simple: {
            Subject: { Data: '🎉 Flash sale', Charset: 'UTF-8' },
            Body: {
              Text: { Data: 'Grüße, Ada — 20 % off today ✓', Charset: 'UTF-8' },
              Html: { Data: '<p>Grüße, <b>Ada</b> — 20 % off today ✓</p>', Charset: 'UTF-8' },
            },
            Headers: [
              { Name: 'List-Unsubscribe', Value: '<https://herald.example.com/u/tok>' },
              { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
            ],
          },
        },
        ConfigurationSetName: 'herald-events',
        EmailTags: [
          { Name: 'herald-sandbox', Value: 'prod' },
          { Name: 'herald-execution', Value: message.executionId },
          { Name: 'herald-message', Value: message.messageId },
        ],
      },
    ]);
  });

  it('sends a text-only message as text', async () => {
    const ses = client();
    const domain = `${randomUUID().slice(0, 8)}.example.com`;
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: domain }));
    const provider = new SesProvider(ses, { fromAddress: `reset@${domain}` });
    const outcome = await provider.send(email({ content: { subject: 'Reset', text: 'Code: 1234' } }), now);
    const id = outcome.kind === 'accepted' ? outcome.providerMessageId : 'none';
    expect((await motoSentMessages(moto.url)).find((m) => m.id === id)).toMatchObject({
      source: `reset@${domain}`,
      subject: 'Reset',
      body: 'Code: 1234',
    });
  });

  it('maps MessageRejected (an unverified sender) to an error with SES’s code, not a retry', async () => {
    const provider = new SesProvider(client(), {
      fromAddress: `news@unverified-${randomUUID().slice(0, 8)}.example`,
    });
    const outcome = await provider.send(email(), now);
    expect(outcome).toEqual({
      kind: 'failed',
      status: 'error',
      code: 'ses-MessageRejected',
      reason: expect.stringContaining('not verified'),
    });
  });
});

/**
 * SES's throttling and account errors cannot be provoked in moto, so these run against an HTTP
 * endpoint that answers as SES's REST-JSON protocol does (status, `x-amzn-ErrorType`, JSON body):
 * the real SDK client parses the answer into its exception classes, and the provider maps those.
 */
async function sesErrorEndpoint(status: number, errorType: string, message: string): Promise<string> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType });
      response.end(JSON.stringify({ message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // listen() on a port gives an AddressInfo
}

describe('SES provider outcome mapping of SES error answers', () => {
  it.each([
    [429, 'TooManyRequestsException', 'Maximum sending rate exceeded.', true, false],
    [400, 'LimitExceededException', 'Daily message quota exceeded.', true, false],
    [400, 'SendingPausedException', 'Sending is paused for this account.', false, false],
    // SES itself failed: the message may move to the configuration's fallback (ADR 0021).
    [500, 'InternalServiceErrorException', 'Internal error.', false, true],
  ])(
    '%i %s → retry later (throttled: %s, provider down: %s), never an exclusion',
    async (status, errorType, message, throttled, providerDown) => {
      const provider = new SesProvider(client(await sesErrorEndpoint(status, errorType, message)), {
        fromAddress: 'news@shop.example.com',
      });
      expect(await provider.send(email(), now)).toEqual({
        kind: 'retry-later',
        code: `ses-${errorType}`,
        reason: message,
        throttled,
        ...(providerDown ? { providerDown } : {}),
      });
    },
  );

  it.each([
    [400, 'MessageRejected', 'Email address is not verified.'],
    [400, 'MailFromDomainNotVerifiedException', 'MAIL FROM domain is not verified.'],
    [400, 'AccountSuspendedException', 'Your account is suspended.'],
    [404, 'NotFoundException', 'Configuration set <herald-events> does not exist.'],
    [400, 'BadRequestException', 'Illegal header.'],
  ])('%i %s → error with the code', async (status, errorType, message) => {
    const provider = new SesProvider(client(await sesErrorEndpoint(status, errorType, message)), {
      fromAddress: 'news@shop.example.com',
    });
    expect(await provider.send(email(), now)).toEqual({
      kind: 'failed',
      status: 'error',
      code: `ses-${errorType}`,
      reason: message,
    });
  });

  it('maps no answer at all (connection refused) to a retry', async () => {
    // A port that was just free: bound and closed, so nothing listens there.
    const free = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as AddressInfo; // listen() on a port gives an AddressInfo
        probe.close(() => resolve(p));
      });
    });
    const provider = new SesProvider(client(`http://127.0.0.1:${free}`), {
      fromAddress: 'news@shop.example.com',
    });
    expect(await provider.send(email(), now)).toMatchObject({ kind: 'retry-later', throttled: false });
  });
});

describe('SES display names', () => {
  it('quotes an ASCII name and encodes a non-ASCII one as an RFC 2047 word', () => {
    expect(quotedName('Shop "Deals" \\ Co')).toBe('"Shop \\"Deals\\" \\\\ Co"');
    expect(quotedName('Zoë')).toBe(`=?UTF-8?B?${Buffer.from('Zoë').toString('base64')}?=`);
  });
});
