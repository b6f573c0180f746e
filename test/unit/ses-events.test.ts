import { describe, expect, it } from 'vitest';
import {
  decodeTagValue,
  encodeTagValue,
  HERALD_TAGS,
  heraldTags,
  mapSesEvent,
} from '../../shared/domain/ses-events.ts';

/**
 * The records below follow SES's documented examples ("Examples of event data that Amazon SES
 * publishes to Amazon SNS", Amazon SES developer guide): the same fields and values, with the
 * `mail.tags` a configuration set publishes (SES's own `ses:*` tags plus the message's EmailTags,
 * here Herald's).
 */
const ref = {
  sandbox: 'prod',
  executionId: '0d8f2f7a-6c1e-4a4b-9a57-0c7b2f9e3d11',
  messageId: '5a3e1c2b-8f4d-4e6a-b1c9-7d2e0f6a9b44',
};

function mail(extraTags: Record<string, string[]> = {}) {
  return {
    timestamp: '2017-08-05T00:40:02.012Z',
    source: 'Sender Name <sender@example.com>',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
    sendingAccountId: '123456789012',
    messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
    destination: ['recipient@example.com'],
    headersTruncated: false,
    headers: [
      { name: 'From', value: 'Sender Name <sender@example.com>' },
      { name: 'To', value: 'recipient@example.com' },
      { name: 'Subject', value: 'Message sent from Amazon SES' },
      { name: 'MIME-Version', value: '1.0' },
      {
        name: 'Content-Type',
        value: 'multipart/alternative; boundary="----=_Part_7307378_1629847660.1516840721503"',
      },
    ],
    commonHeaders: {
      from: ['Sender Name <sender@example.com>'],
      to: ['recipient@example.com'],
      messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      subject: 'Message sent from Amazon SES',
    },
    tags: {
      'ses:configuration-set': ['ConfigSet'],
      'ses:source-ip': ['192.0.2.0'],
      'ses:from-domain': ['example.com'],
      'ses:caller-identity': ['ses_user'],
      [HERALD_TAGS.sandbox]: [ref.sandbox],
      [HERALD_TAGS.executionId]: [ref.executionId],
      [HERALD_TAGS.messageId]: [ref.messageId],
      ...extraTags,
    },
  };
}

const examples = {
  bounce: {
    eventType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        {
          emailAddress: 'recipient@example.com',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      timestamp: '2017-08-05T00:41:02.669Z',
      feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
      reportingMTA: 'dsn; mta.example.com',
    },
    mail: mail(),
  },
  transientBounce: {
    eventType: 'Bounce',
    bounce: {
      bounceType: 'Transient',
      bounceSubType: 'MailboxFull',
      bouncedRecipients: [
        {
          emailAddress: 'recipient@example.com',
          action: 'failed',
          status: '4.2.2',
          diagnosticCode: 'smtp; 452 4.2.2 Mailbox full',
        },
      ],
      timestamp: '2017-08-05T00:41:02.669Z',
      feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000001',
      reportingMTA: 'dsn; mta.example.com',
    },
    mail: mail(),
  },
  complaint: {
    eventType: 'Complaint',
    complaint: {
      complainedRecipients: [{ emailAddress: 'recipient@example.com' }],
      timestamp: '2017-08-05T00:41:02.669Z',
      feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36',
      complaintFeedbackType: 'abuse',
      arrivalDate: '2017-08-05T00:41:02.669Z',
    },
    mail: mail(),
  },
  delivery: {
    eventType: 'Delivery',
    mail: { ...mail(), timestamp: '2016-10-19T23:20:52.240Z' },
    delivery: {
      timestamp: '2016-10-19T23:21:04.133Z',
      processingTimeMillis: 11893,
      recipients: ['recipient@example.com'],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'mta.example.com',
    },
  },
  send: { eventType: 'Send', mail: { ...mail(), timestamp: '2016-10-14T05:02:16.645Z' }, send: {} },
  reject: { eventType: 'Reject', mail: mail(), reject: { reason: 'Bad content' } },
  renderingFailure: {
    eventType: 'Rendering Failure',
    mail: mail(),
    failure: {
      errorMessage: "Attribute 'attributeName' is not present in the rendering data.",
      templateName: 'MyTemplate',
    },
  },
  deliveryDelay: {
    eventType: 'DeliveryDelay',
    mail: { ...mail(), timestamp: '2020-06-16T00:15:40.641Z' },
    deliveryDelay: {
      timestamp: '2020-06-16T00:25:40.095Z',
      delayType: 'TransientCommunicationFailure',
      expirationTime: '2020-06-16T00:25:40.914Z',
      delayedRecipients: [
        {
          emailAddress: 'recipient@example.com',
          status: '4.4.1',
          diagnosticCode: 'smtp; 421 4.4.1 Unable to connect to remote host',
        },
      ],
    },
  },
  open: {
    eventType: 'Open',
    mail: mail(),
    open: { ipAddress: '192.0.2.1', timestamp: '2017-08-09T22:00:19.652Z', userAgent: 'Mozilla/5.0' },
  },
} as const;

/** How SQS receives an SNS notification without raw message delivery. */
function snsEnvelope(document: unknown): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: '2f1a5e5e-7a4e-5c6d-8f7a-1b2c3d4e5f60',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:herald-provider-events',
    Message: JSON.stringify(document),
    Timestamp: '2017-08-05T00:41:03.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=EXAMPLE',
  });
}

/** How an SQS target of an EventBridge rule receives the same event. */
function eventBridgeEvent(document: unknown): string {
  return JSON.stringify({
    version: '0',
    id: 'c2a2b8f0-1c7b-2d9e-8f6a-5b4c3d2e1f00',
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    account: '123456789012',
    time: '2017-08-05T00:41:03Z',
    region: 'us-east-1',
    resources: ['arn:aws:ses:us-east-1:123456789012:configuration-set/ConfigSet'],
    detail: document,
  });
}

const providerMessageId = 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000';

describe('SES event documents → Herald statuses', () => {
  it('Bounce, Permanent → bounce with the address suppressed and SES’s codes', () => {
    expect(mapSesEvent(JSON.stringify(examples.bounce))).toEqual({
      kind: 'status',
      message: ref,
      providerMessageId,
      status: 'bounce',
      code: 'ses-bounce-permanent-general',
      reason: 'smtp; 550 5.1.1 user unknown',
      suppress: true,
      addresses: ['recipient@example.com'],
      at: '2017-08-05T00:41:02.669Z',
      provider: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        action: 'failed',
        feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
        reportingMTA: 'dsn; mta.example.com',
      },
    });
  });

  it('Bounce, Transient or Undetermined → delay, not suppressed', () => {
    expect(mapSesEvent(examples.transientBounce)).toMatchObject({
      kind: 'status',
      status: 'delay',
      code: 'ses-bounce-transient-mailboxfull',
      reason: 'smtp; 452 4.2.2 Mailbox full',
      suppress: false,
    });
    const undetermined = {
      ...examples.bounce,
      bounce: { ...examples.bounce.bounce, bounceType: 'Undetermined', bounceSubType: 'Undetermined' },
    };
    expect(mapSesEvent(undetermined)).toMatchObject({
      status: 'delay',
      code: 'ses-bounce-undetermined-undetermined',
      suppress: false,
    });
  });

  it('Complaint → complaint, suppressed, with the feedback type', () => {
    expect(mapSesEvent(examples.complaint)).toMatchObject({
      kind: 'status',
      message: ref,
      status: 'complaint',
      code: 'ses-complaint-abuse',
      suppress: true,
      addresses: ['recipient@example.com'],
      at: '2017-08-05T00:41:02.669Z',
      provider: { complaintFeedbackType: 'abuse', arrivalDate: '2017-08-05T00:41:02.669Z' },
    });
    const bare = {
      ...examples.complaint,
      complaint: {
        complainedRecipients: [{ emailAddress: 'recipient@example.com' }],
        complaintSubType: null,
      },
    };
    expect(mapSesEvent(bare)).toMatchObject({ status: 'complaint', code: 'ses-complaint', suppress: true });
  });

  it('Delivery → delivered with the SMTP response', () => {
    expect(mapSesEvent(examples.delivery)).toEqual({
      kind: 'status',
      message: ref,
      providerMessageId,
      status: 'delivered',
      code: 'ses-delivery',
      reason: '250 2.6.0 Message received',
      suppress: false,
      addresses: ['recipient@example.com'],
      at: '2016-10-19T23:21:04.133Z',
      provider: {
        smtpResponse: '250 2.6.0 Message received',
        reportingMTA: 'mta.example.com',
        processingTimeMillis: 11893,
      },
    });
  });

  it('Send → sent at the mail’s timestamp', () => {
    expect(mapSesEvent(examples.send)).toMatchObject({
      kind: 'status',
      status: 'sent',
      code: 'ses-send',
      suppress: false,
      at: '2016-10-14T05:02:16.645Z',
    });
  });

  it('Reject and Rendering Failure → error with SES’s reason', () => {
    expect(mapSesEvent(examples.reject)).toMatchObject({
      status: 'error',
      code: 'ses-reject',
      reason: 'Bad content',
      suppress: false,
    });
    expect(mapSesEvent(examples.renderingFailure)).toMatchObject({
      status: 'error',
      code: 'ses-rendering-failure',
      reason: "Attribute 'attributeName' is not present in the rendering data.",
      provider: { templateName: 'MyTemplate' },
    });
  });

  it('DeliveryDelay → delay with the delay type, status and diagnostic code', () => {
    expect(mapSesEvent(examples.deliveryDelay)).toMatchObject({
      kind: 'status',
      status: 'delay',
      code: 'ses-delay-transientcommunicationfailure',
      reason: 'smtp; 421 4.4.1 Unable to connect to remote host',
      suppress: false,
      at: '2020-06-16T00:25:40.095Z',
      provider: {
        delayType: 'TransientCommunicationFailure',
        status: '4.4.1',
        expirationTime: '2020-06-16T00:25:40.914Z',
      },
    });
  });

  it('reads the same document raw, inside an SNS envelope, or as an EventBridge event', () => {
    const raw = mapSesEvent(JSON.stringify(examples.bounce));
    expect(mapSesEvent(snsEnvelope(examples.bounce))).toEqual(raw);
    expect(mapSesEvent(eventBridgeEvent(examples.bounce))).toEqual(raw);
    expect(mapSesEvent(examples.bounce)).toEqual(raw);
  });

  it('ignores Open, Click and Subscription (valid, but no Herald status yet)', () => {
    expect(mapSesEvent(snsEnvelope(examples.open))).toEqual({
      kind: 'ignored',
      eventType: 'Open',
      providerMessageId,
    });
  });

  it.each([
    ['not JSON', '{"eventType":'],
    ['JSON but not an object', '42'],
    ['an unknown event type', JSON.stringify({ ...examples.send, eventType: 'Teleport' })],
    ['a Bounce without its bounce', JSON.stringify({ eventType: 'Bounce', mail: mail() })],
    ['no mail', JSON.stringify({ eventType: 'Send', send: {} })],
    ['an SNS envelope whose Message is not JSON', JSON.stringify({ Type: 'Notification', Message: 'nope' })],
    ['an SNS subscription confirmation', JSON.stringify({ Type: 'SubscriptionConfirmation', Message: 'x' })],
    ['null', 'null'],
  ])('answers unknown, never throws, for %s', (_name, body) => {
    const result = mapSesEvent(body);
    expect(result.kind).toBe('unknown');
    // The reason names fields, never the body's values (addresses).
    expect(result.kind === 'unknown' && result.reason).not.toContain('recipient@example.com');
  });

  it('answers unknown for an event of a message Herald did not tag (sent by something else)', () => {
    const foreign = {
      ...examples.delivery,
      mail: { ...examples.delivery.mail, tags: { 'ses:configuration-set': ['X'] } },
    };
    expect(mapSesEvent(foreign)).toEqual({
      kind: 'unknown',
      reason: 'the Delivery event carries no Herald message tags',
    });
    const doubled = { ...examples.delivery, mail: mail({ [HERALD_TAGS.messageId]: ['a', 'b'] }) };
    expect(mapSesEvent(doubled).kind).toBe('unknown');
  });
});

describe('SES tag values', () => {
  it('leaves Herald’s ids as they are and reads them back from mail.tags', () => {
    expect(heraldTags(ref)).toEqual([
      { Name: 'herald-sandbox', Value: 'prod' },
      { Name: 'herald-execution', Value: ref.executionId },
      { Name: 'herald-message', Value: ref.messageId },
    ]);
  });

  it('escapes anything SES does not allow, reversibly, so two values never collide', () => {
    for (const value of ['a.b', 'a_b', 'a_2Eb', 'ünï cödé', 'x/y=z+', '']) {
      const encoded = encodeTagValue(value);
      expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(decodeTagValue(encoded)).toBe(value);
    }
    expect(encodeTagValue('a.b')).not.toBe(encodeTagValue('a_b'));
    expect(decodeTagValue('a.b')).toBeUndefined();
    expect(decodeTagValue('_2e')).toBeUndefined(); // lower-case hex is not what encode writes
    expect(() => encodeTagValue('x'.repeat(257))).toThrow(/256/);
  });
});
