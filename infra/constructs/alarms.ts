import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { QueueDefinition } from '../../shared/definitions/queues.ts';
import { FAILED_RECORDS_METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../../shared/queue/sqs-worker.ts';
import type { HeraldQueue } from './data.ts';
import type { HeraldFunction } from './herald-function.ts';

/**
 * Share of API requests answered 5xx, in percent, over one period. Herald answers bad input with
 * 4xx problems, never a 500, so any steady 5xx share is a fault (a store, a queue, a bug); 1 %
 * leaves room for the odd cold-start timeout without hiding an outage of one route group.
 */
export const API_5XX_RATE_PERCENT = 1;
/**
 * p99 of API Gateway's `Latency` (the whole request, integration included), in milliseconds. A
 * trigger is one batched read, one conditional write and one enqueue (tens of ms warm); a p99 past
 * a second for two periods running means throttling, cold starts at scale or a slow store.
 */
export const API_P99_LATENCY_MS = 1000;
/** Records a worker reported as failed in one period: any. Each one is retried, and may be dead-lettered. */
export const FAILED_RECORDS_THRESHOLD = 1;
/** Messages in a DLQ: any. Each is a job Herald gave up on. */
export const DLQ_DEPTH_THRESHOLD = 1;
/**
 * Age of a DLQ's oldest message (SQS counts it from when the message was moved there): an hour.
 * The depth alarm already told someone; a dead letter an hour old means nobody has redriven or
 * cleared it (it expires 14 days after it was first sent).
 */
export const DLQ_AGE_SECONDS = 3600;
/**
 * Age of the oldest message on each main queue (its backlog), in seconds. Workers may delay their
 * own messages up to SQS's 15-minute maximum (send retries, webhook retries, fanout's wait for a
 * page), and a delayed message may age from when it was sent, so every threshold sits above 15
 * minutes except provider-events', which delays nothing (a raced event is retried within minutes).
 * Feedback's is what webhook receivers feel as lag, so it is the tightest the delays allow.
 */
export const QUEUE_BACKLOG_AGE_SECONDS: Readonly<Record<QueueDefinition['name'], number>> = {
  dispatch: 20 * 60,
  fanout: 30 * 60,
  feedback: 17 * 60,
  'provider-events': 10 * 60,
};
/** Periods: the API's and the workers' over five minutes; SQS publishes its figures each minute. */
const PERIOD = Duration.minutes(5);

export interface HeraldAlarmsProps {
  /** The HTTP API whose 5xx rate and p99 latency are watched. */
  readonly api: apigw.IHttpApi;
  readonly queues: readonly HeraldQueue[];
  /** Every function: an alarm on its Lambda `Errors` (init failures, timeouts, crashes of the API). */
  readonly functions: readonly HeraldFunction[];
  /** Where alarm notifications go, if anywhere (context `alarmEmail`). */
  readonly email?: string;
  /** @default `herald-<stack name>` */
  readonly dashboardName?: string;
}

/**
 * What an operator needs to see failures, every alarm to one SNS topic (an email subscription
 * with `alarmEmail`), and a dashboard with the same figures:
 * - the HTTP API's 5xx rate (5xx / requests) and p99 latency;
 * - per worker, the `Herald/FailedRecords` metric the SQS worker shell writes for the records it
 *   reports in `batchItemFailures` (they never reach Lambda's `Errors`: the shell does not throw);
 * - per queue, its DLQ's depth and the age of its oldest dead letter, and its own backlog age;
 * - per function, Lambda `Errors` (what the shell cannot see: init failures and timeouts).
 * The README's "Operating Herald" says what each means and what to do.
 */
export class HeraldAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: HeraldAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'topic', { enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      this.alarms.push(created);
      return created;
    };

    // The API.
    const requests = props.api.metricCount({ period: PERIOD, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period: PERIOD, statistic: 'Sum' });
    const errorRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period: PERIOD,
      label: '5xx rate (%)',
    });
    // No label on an alarm's metric: CloudFormation would get it as a metric-math query.
    const p99 = props.api.metricLatency({ period: PERIOD, statistic: 'p99' });
    alarm('api-5xx-rate', {
      alarmDescription: `More than ${API_5XX_RATE_PERCENT} % of API requests answered 5xx: read the API functions' logs (errors are logged with the requestId).`,
      metric: errorRate,
      threshold: API_5XX_RATE_PERCENT,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
    alarm('api-p99-latency', {
      alarmDescription: `API p99 latency above ${API_P99_LATENCY_MS} ms: check Lambda throttles and concurrency, DynamoDB throttling, cold starts.`,
      metric: p99,
      threshold: API_P99_LATENCY_MS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });

    // The workers' failed records, one alarm per worker (its metric's dimension is the queue it consumes).
    const failedRecords = new Map<string, cloudwatch.Metric>();
    for (const { definition } of props.functions) {
      if (definition.kind !== 'worker') continue;
      const consumed = props.queues.find((q) => q.definition.name === definition.consumes)?.definition;
      const metric = failedRecordsMetric(definition.consumes);
      failedRecords.set(definition.name, metric);
      alarm(`${definition.name}-failed-records`, {
        alarmDescription: `The ${definition.name} reported failed records (each is retried, and dead-lettered past ${consumed?.maxReceiveCount ?? 'its'} receives): read its logs for "failed; SQS will deliver it again".`,
        metric,
        threshold: FAILED_RECORDS_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    // The queues: DLQ depth and age, backlog age.
    for (const { definition, queue, deadLetterQueue } of props.queues) {
      alarm(`${definition.name}-dlq-not-empty`, {
        alarmDescription: `Messages in the ${definition.name} dead-letter queue: find why in the worker's logs (by messageId), fix, then redrive them (SQS console: "Start DLQ redrive").`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: DLQ_DEPTH_THRESHOLD,
        evaluationPeriods: 1,
      });
      alarm(`${definition.name}-dlq-age`, {
        alarmDescription: `A dead letter on the ${definition.name} DLQ has waited over ${DLQ_AGE_SECONDS / 60} min: redrive or purge it (DLQs keep messages 14 days).`,
        metric: deadLetterQueue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
        threshold: DLQ_AGE_SECONDS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
      const backlog = QUEUE_BACKLOG_AGE_SECONDS[definition.name];
      alarm(`${definition.name}-backlog-age`, {
        alarmDescription: `The oldest ${definition.name} message is over ${backlog / 60} min old: its worker is not keeping up (throttles, maximum concurrency ${definition.maxConcurrency}, failures) or is not running.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
        threshold: backlog,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    // Each function's Lambda Errors: what the shell cannot count (init failures, timeouts).
    for (const fn of props.functions) {
      alarm(`${fn.node.id}-errors`, {
        alarmDescription: `${fn.node.path} failed invocations (a bad setting fails the init; a worker's timeout retries its whole batch).`,
        metric: fn.function.metricErrors({ period: PERIOD }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.hours(3),
    });
    const queueWidget = (title: string, metrics: (q: HeraldQueue) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({
        title,
        width: 12,
        left: props.queues.map((q) => metrics(q)),
      });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and 5xx rate',
        width: 12,
        left: [requests.with({ label: 'requests' }), serverErrors.with({ label: '5xx' })],
        right: [errorRate],
      }),
      new cloudwatch.GraphWidget({
        title: 'API p99 latency (ms)',
        width: 12,
        left: [p99.with({ label: 'p99 latency (ms)' })],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `Failed records per worker (${METRICS_NAMESPACE}/${FAILED_RECORDS_METRIC})`,
        width: 12,
        left: [...failedRecords.entries()].map(([name, metric]) => metric.with({ label: name })),
      }),
      queueWidget('Backlog age, oldest message (s)', ({ definition, queue }) =>
        queue.metricApproximateAgeOfOldestMessage({
          period: PERIOD,
          statistic: 'Maximum',
          label: definition.name,
        }),
      ),
    );
    this.dashboard.addWidgets(
      queueWidget('Dead letters (messages)', ({ definition, deadLetterQueue }) =>
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
          label: `${definition.name} DLQ`,
        }),
      ),
      queueWidget('Oldest dead letter (s)', ({ definition, deadLetterQueue }) =>
        deadLetterQueue.metricApproximateAgeOfOldestMessage({
          period: PERIOD,
          statistic: 'Maximum',
          label: `${definition.name} DLQ`,
        }),
      ),
    );
    this.dashboard.addWidgets(
      queueWidget('Messages waiting', ({ definition, queue }) =>
        queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
          label: definition.name,
        }),
      ),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors and throttles',
        width: 12,
        left: props.functions.map((fn) => fn.function.metricErrors({ period: PERIOD, label: fn.node.id })),
        right: props.functions.map((fn) =>
          fn.function.metricThrottles({ period: PERIOD, label: `${fn.node.id} throttles` }),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: this.alarms }),
    );
  }
}

/** The FailedRecords metric of the worker consuming `queue` (the dimensions the shell writes). */
export function failedRecordsMetric(queue: QueueDefinition['name']): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: FAILED_RECORDS_METRIC,
    dimensionsMap: { service: METRICS_SERVICE, queue },
    statistic: 'Sum',
    period: PERIOD,
  });
}
