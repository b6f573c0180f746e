import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as smsvoice from 'aws-cdk-lib/aws-smsvoice';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The End User Messaging SMS events Herald turns into statuses (shared/domain/sms-events.ts):
 * delivered, invalid (a bounce) and each refusal; the steps before (pending, queued, sent,
 * successful) are not statuses, so they are not published.
 */
export const SMS_EVENT_TYPES: readonly string[] = [
  'TEXT_DELIVERED',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_UNREACHABLE',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_SPAM',
  'TEXT_PROTECT_BLOCKED',
  'TEXT_TTL_EXPIRED',
  'TEXT_UNKNOWN',
];

/** What End User Messaging accepts as a configuration set name. */
const CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface HeraldSmsEventsProps {
  /** The provider-events queue the events end in. */
  readonly queue: sqs.IQueue;
  /** @default `<stack name>-sms-events` */
  readonly configurationSetName?: string;
}

/**
 * End User Messaging SMS feedback for the provider-events worker (ADR 0028), as HeraldSesEvents
 * does for SES: a configuration set (AWS::SMSVOICE::ConfigurationSet) whose event destination
 * publishes the SMS_EVENT_TYPES to an SNS topic, subscribed by the provider-events queue (raw
 * message delivery off). The topic takes publications from End User Messaging of this account
 * only — the configuration set's events, and the two-way SMS (STOP) of a number whose two-way
 * channel is set to this topic — and the queue accepts messages from this topic only.
 */
export class HeraldSmsEvents extends Construct {
  readonly configurationSet: smsvoice.CfnConfigurationSet;
  readonly configurationSetName: string;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: HeraldSmsEventsProps) {
    super(scope, id);
    const name = props.configurationSetName ?? `${Stack.of(this).stackName}-sms-events`;
    if (!Token.isUnresolved(name) && !CONFIGURATION_SET_NAME.test(name))
      throw new Error(
        `End User Messaging configuration set name '${name}' must be 1 to 64 letters, digits, _ or -`,
      );
    this.configurationSetName = name;
    this.topic = new sns.Topic(this, 'topic', {
      displayName: 'Herald: End User Messaging SMS events for the provider-events queue',
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        principals: [new iam.ServicePrincipal('sms-voice.amazonaws.com')],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.configurationSet = new smsvoice.CfnConfigurationSet(this, 'configuration-set', {
      configurationSetName: name,
      eventDestinations: [
        {
          eventDestinationName: 'herald-provider-events',
          enabled: true,
          matchingEventTypes: [...SMS_EVENT_TYPES],
          snsDestination: { topicArn: this.topic.topicArn },
        },
      ],
    });
    // The service checks it may publish when the destination is created: the policy first.
    const policy = this.topic.node.tryFindChild('Policy');
    if (policy) this.configurationSet.node.addDependency(policy);
    // Adds the queue policy: sqs:SendMessage for sns.amazonaws.com when aws:SourceArn is this topic.
    this.topic.addSubscription(new subscriptions.SqsSubscription(props.queue, { rawMessageDelivery: false }));
  }

  /** The configuration set's ARN, for the dispatch function's sms-voice:SendTextMessage grant. */
  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: 'sms-voice',
      resource: 'configuration-set',
      resourceName: this.configurationSetName,
    });
  }
}
