import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { HeraldQueue } from './data.ts';
import type { HeraldFunction } from './herald-function.ts';

export interface HeraldAlarmsProps {
  readonly queues: readonly HeraldQueue[];
  readonly functions: readonly HeraldFunction[];
  /** Where alarm notifications go, if anywhere. */
  readonly email?: string;
}

/** An alarm on every DLQ that holds a message and every function that errs, sent to one topic. */
export class HeraldAlarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: HeraldAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'topic', { enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const notify = new actions.SnsAction(this.topic);
    for (const { definition, deadLetterQueue } of props.queues) {
      new cloudwatch.Alarm(this, `${definition.name}-dlq-not-empty`, {
        alarmDescription: `Messages in the ${definition.name} dead-letter queue: inspect and redrive them.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(notify);
    }
    for (const fn of props.functions) {
      new cloudwatch.Alarm(this, `${fn.node.id}-errors`, {
        alarmDescription: `${fn.node.path} failed invocations.`,
        metric: fn.function.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(notify);
    }
  }
}
