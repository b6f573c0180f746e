import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  API_5XX_RATE_PERCENT,
  API_P99_LATENCY_MS,
  DLQ_AGE_SECONDS,
  QUEUE_BACKLOG_AGE_SECONDS,
} from '../../infra/constructs/alarms.ts';
import { DEPLOY_SETTINGS, NOT_DEPLOY_SETTINGS } from '../../infra/deploy-settings.ts';
import { HeraldApiStack, HeraldDataStack } from '../../infra/stacks.ts';
import { CONFIG_VARIABLES, ConfigError } from '../../shared/config.ts';
import { functionDefinitions } from '../../shared/definitions/functions.ts';
import { queueDefinitions } from '../../shared/definitions/queues.ts';
import { FAILED_RECORDS_METRIC, METRICS_NAMESPACE } from '../../shared/queue/sqs-worker.ts';

/**
 * Issue 15's "operable on AWS": the alarms and the dashboard, the queues retained, the workers'
 * concurrency, the ApiUrl output and the HERALD_* deploy settings (context → every function,
 * refused at synth with the variable's name). One synthesis with settings, bundled like a deploy.
 */
type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string };
const resources = (template: Template, type: string) =>
  Object.values(template.findResources(type)) as Resource[];
/** No esbuild: for the stacks whose code does not matter to the assertion. */
const UNBUNDLED = { 'aws:cdk:bundling-stacks': [] };

function stacks(context: Record<string, unknown>, props: { reserveWorkerConcurrency?: boolean } = {}) {
  const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...context } });
  const data = new HeraldDataStack(app, 'ops-data');
  const api = new HeraldApiStack(app, 'ops-api', {
    data: data.data,
    alarmEmail: 'ops@example.com',
    ...props,
  });
  return { data, api };
}

let data: Template;
let api: Template;
let apiStack: HeraldApiStack;
const workers = functionDefinitions.filter((fn) => fn.kind === 'worker');

beforeAll(() => {
  const built = stacks({
    HERALD_WEBHOOK_TIMEOUT_MS: '5000',
    // cdk.json may hold numbers, booleans and lists; each becomes the variable's text.
    HERALD_KEY_CACHE_SECONDS: 30,
    HERALD_WEBHOOK_ALLOW_HTTP: false,
    HERALD_WEBHOOK_ALLOWED_ADDRESSES: ['10.1.0.0/16', '10.2.0.1'],
  });
  apiStack = built.api;
  data = Template.fromStack(built.data);
  api = Template.fromStack(built.api);
}, 120_000);

const alarmsOn = (metricName: string) =>
  resources(api, 'AWS::CloudWatch::Alarm').filter(
    (a) =>
      a.Properties.MetricName === metricName ||
      JSON.stringify(a.Properties.Metrics ?? []).includes(`"MetricName":"${metricName}"`),
  );

describe('the alarms', () => {
  it('watch the API: the 5xx rate as 5xx / requests, and p99 latency', () => {
    api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: API_5XX_RATE_PERCENT,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)', ReturnData: true }),
        Match.objectLike({
          Id: 'requests',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Count' }), Stat: 'Sum' }),
        }),
        Match.objectLike({
          Id: 'errors',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' }),
            Stat: 'Sum',
          }),
          ReturnData: false,
        }),
      ]),
    });
    api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: API_P99_LATENCY_MS,
    });
  });

  it('watch each worker through its FailedRecords metric, not only Lambda Errors', () => {
    const failed = alarmsOn(FAILED_RECORDS_METRIC);
    expect(failed).toHaveLength(workers.length);
    for (const worker of workers) {
      api.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: METRICS_NAMESPACE,
        MetricName: FAILED_RECORDS_METRIC,
        Dimensions: Match.arrayWith([
          { Name: 'queue', Value: worker.kind === 'worker' ? worker.consumes : '' },
          { Name: 'service', Value: 'herald' },
        ]),
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('watch every queue: DLQ depth, the oldest dead letter, and the backlog age', () => {
    expect(alarmsOn('ApproximateNumberOfMessagesVisible')).toHaveLength(queueDefinitions.length);
    const ages = alarmsOn('ApproximateAgeOfOldestMessage');
    expect(ages).toHaveLength(queueDefinitions.length * 2);
    expect(ages.filter((a) => a.Properties.Threshold === DLQ_AGE_SECONDS)).toHaveLength(
      queueDefinitions.length,
    );
    for (const queue of queueDefinitions) {
      expect(ages.map((a) => a.Properties.Threshold)).toContain(QUEUE_BACKLOG_AGE_SECONDS[queue.name]);
    }
    // Delayed messages (up to SQS's 15 minutes) age from when they were sent.
    expect(QUEUE_BACKLOG_AGE_SECONDS.feedback).toBeGreaterThan(15 * 60);
  });

  it('all notify the one topic, on alarm and on recovery; the email comes from the deploy setting', () => {
    const alarms = resources(api, 'AWS::CloudWatch::Alarm');
    // 2 on the API, 1 per worker, 3 per queue, 1 (Lambda Errors) per function.
    expect(alarms).toHaveLength(
      2 + workers.length + 3 * queueDefinitions.length + functionDefinitions.length,
    );
    const topic = Object.keys(api.findResources('AWS::SNS::Topic'));
    expect(topic).toHaveLength(1);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic[0] }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topic[0] }]);
      expect(alarm.Properties.AlarmDescription).toEqual(expect.any(String));
    }
    api.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('the dashboard', () => {
  it('shows the figures the alarms watch, for every queue', () => {
    const dashboards = resources(api, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const metric of [
      '5xx',
      'Latency',
      'p99',
      FAILED_RECORDS_METRIC,
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'Throttles',
    ]) {
      expect(body).toContain(metric);
    }
    for (const queue of queueDefinitions) {
      expect(body).toContain(`\\"queue\\",\\"${queue.name}\\"`);
      expect(body).toContain(`${queue.name} DLQ`);
    }
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    api.hasOutput('DashboardName', {});
  });
});

describe('the data stack keeps its queues', () => {
  it('retains every queue and DLQ with the stack, like the table', () => {
    const queues = Object.values(data.findResources('AWS::SQS::Queue')) as Resource[];
    expect(queues).toHaveLength(queueDefinitions.length * 2);
    for (const queue of queues) expect(queue.DeletionPolicy).toBe('Retain');
  });
});

describe('the workers cannot be starved by the API', () => {
  it("reserve each worker its queue's maximum concurrency, and size memory from the function table", () => {
    for (const fn of apiStack.functions) {
      const { definition } = fn;
      const cfn = fn.function.node.defaultChild as {
        memorySize?: number;
        reservedConcurrentExecutions?: number;
      };
      expect(cfn.memorySize, definition.name).toBe(definition.memoryMb);
      const queue =
        definition.kind === 'worker'
          ? queueDefinitions.find((q) => q.name === definition.consumes)
          : undefined;
      expect(cfn.reservedConcurrentExecutions, definition.name).toBe(queue?.maxConcurrency);
    }
  });

  it('reserve nothing with reserveWorkerConcurrency=false (a small account quota)', () => {
    const { api: stack } = stacks(UNBUNDLED, { reserveWorkerConcurrency: false });
    for (const fn of resources(Template.fromStack(stack), 'AWS::Lambda::Function')) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });
});

describe('the outputs', () => {
  it('export the API URL as ApiUrl', () => {
    api.hasOutput('ApiUrl', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^apihttpapi'), 'ApiEndpoint'] },
      Description: Match.stringLikeRegexp('/im/health'),
    });
  });
});

describe('the HERALD_* deploy settings', () => {
  it('cover every HERALD_* variable of the schema, or say why it is not one', () => {
    const herald = CONFIG_VARIABLES.filter((name) => name.startsWith('HERALD_'));
    expect(
      herald.filter(
        (name) => !(DEPLOY_SETTINGS as readonly string[]).includes(name) && !(name in NOT_DEPLOY_SETTINGS),
      ),
    ).toEqual([]);
    expect(DEPLOY_SETTINGS.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
  });

  it('reach every function, as the variable under its own name', () => {
    for (const fn of resources(api, 'AWS::Lambda::Function')) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        HERALD_WEBHOOK_TIMEOUT_MS: '5000',
        HERALD_KEY_CACHE_SECONDS: '30',
        HERALD_WEBHOOK_ALLOW_HTTP: 'false',
        HERALD_WEBHOOK_ALLOWED_ADDRESSES: '10.1.0.0/16,10.2.0.1',
      });
    }
  });

  const refusal = (context: Record<string, unknown>): ConfigError => {
    try {
      stacks({ ...UNBUNDLED, ...context });
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('the synth did not fail');
  };

  it("fail the synth on a value the functions' schema refuses, naming the variable", () => {
    const error = refusal({ HERALD_WEBHOOK_TIMEOUT_MS: 'soon', HERALD_MAX_BODY_BYTES: '10' });
    expect(error.variables).toEqual(['HERALD_MAX_BODY_BYTES', 'HERALD_WEBHOOK_TIMEOUT_MS']);
    expect(error.message).toMatch(
      /^Herald configuration is invalid: HERALD_MAX_BODY_BYTES: .*HERALD_WEBHOOK_TIMEOUT_MS: /,
    );
    expect(refusal({ HERALD_CHANNEL_PROVIDER: 'ses' }).variables).toEqual(['HERALD_CHANNEL_PROVIDER']);
  });

  it('fail the synth on a variable the stack sets, a secret, or a name that is no setting', () => {
    const error = refusal({
      HERALD_PUBLIC_URL: 'https://herald.example.com',
      HERALD_ADMIN_KEY: 'a'.repeat(32),
      HERALD_WEBHOOK_TIMEOUT: '5000',
    });
    expect(error.variables).toEqual(['HERALD_PUBLIC_URL', 'HERALD_ADMIN_KEY', 'HERALD_WEBHOOK_TIMEOUT']);
    expect(error.message).toContain(
      'HERALD_PUBLIC_URL: is not a deploy setting: the stack sets it (the API URL, or the `publicUrl` context)',
    );
    expect(error.message).toContain('HERALD_WEBHOOK_TIMEOUT: is not a Herald setting');
  });
});

describe('traces', () => {
  it('keep Lambda active tracing on every function whether herald:tracing bundles the Tracer or not', () => {
    for (const value of ['true', 'false', true, undefined]) {
      const built = stacks({ ...UNBUNDLED, ...(value === undefined ? {} : { 'herald:tracing': value }) });
      const functions = resources(Template.fromStack(built.api), 'AWS::Lambda::Function');
      expect(functions.length).toBe(functionDefinitions.length);
      for (const fn of functions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('refuse a herald:tracing that is not true or false, at synth', () => {
    expect(() => stacks({ ...UNBUNDLED, 'herald:tracing': 'yes' })).toThrow(
      "context herald:tracing must be true or false, not 'yes'",
    );
  });
});
