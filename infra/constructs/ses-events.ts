import { Stack, Token } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The SES events Herald turns into statuses (shared/domain/ses-events.ts); opens and clicks are not. */
export const SES_EVENT_TYPES: readonly ses.EmailSendingEvent[] = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.RENDERING_FAILURE,
  ses.EmailSendingEvent.DELIVERY_DELAY,
];

/** What SES accepts as a configuration set name. */
const CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface HeraldSesEventsProps {
  /** The provider-events queue the events end in. */
  readonly queue: sqs.IQueue;
  /**
   * The configuration set's name (the `sesConfigurationSet` context).
   * @default `<stack name>-events`
   */
  readonly configurationSetName?: string;
}

/**
 * SES feedback for the provider-events worker: an SES configuration set whose event destination
 * publishes SEND, DELIVERY, BOUNCE, COMPLAINT, REJECT, RENDERING_FAILURE and DELIVERY_DELAY to an
 * SNS topic, subscribed by the provider-events queue (raw message delivery off: each record is
 * the SNS notification, the event JSON in its `Message`). The topic accepts publications from SES
 * for this configuration set of this account only, and the queue accepts messages from this topic
 * only. Why SNS rather than EventBridge: docs/adr/0015-provider-events.md.
 */
export class HeraldSesEvents extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly configurationSetName: string;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: HeraldSesEventsProps) {
    super(scope, id);
    const name = props.configurationSetName ?? `${Stack.of(this).stackName}-events`;
    if (!Token.isUnresolved(name) && !CONFIGURATION_SET_NAME.test(name)) {
      throw new Error(
        `SES configuration set name '${name}' must be 1 to 64 letters, digits, _ or - (context sesConfigurationSet)`,
      );
    }
    this.configurationSetName = name;
    this.configurationSet = new ses.ConfigurationSet(this, 'configuration-set', {
      configurationSetName: name,
      reputationMetrics: true,
    });
    // No enforceSSL deny: its aws:SecureTransport condition is about callers' requests, and the
    // only publisher allowed is SES itself, for this configuration set.
    this.topic = new sns.Topic(this, 'topic', {
      displayName: 'Herald: SES events for the provider-events queue',
    });
    // Adds the topic policy: sns:Publish for ses.amazonaws.com, this account and configuration set.
    this.configurationSet.addEventDestination('provider-events', {
      configurationSetEventDestinationName: 'herald-provider-events',
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [...SES_EVENT_TYPES],
    });
    // Adds the queue policy: sqs:SendMessage for sns.amazonaws.com when aws:SourceArn is this topic.
    this.topic.addSubscription(new subscriptions.SqsSubscription(props.queue, { rawMessageDelivery: false }));
  }

  /** The configuration set's ARN, for the dispatch function's ses:SendEmail grant. */
  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSetName,
    });
  }
}
