import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HeraldApiStack, HeraldDataStack } from '../../infra/stacks.ts';
import { dlqName, queueDefinitions } from '../../shared/definitions/queues.ts';
import { tableDefinition } from '../../shared/definitions/table.ts';
import { DEFAULT_ROUTE_GROUP } from '../../shared/http/route-match.ts';
import { routeKey, routes } from '../../shared/http/routes.ts';

let data: Template;
let api: Template;

beforeAll(() => {
  // One synthesis (each function is bundled by esbuild), shared by every assertion.
  const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  const dataStack = new HeraldDataStack(app, 'test-data');
  const apiStack = new HeraldApiStack(app, 'test-api', {
    data: dataStack.data,
    alarmEmail: 'ops@example.com',
  });
  data = Template.fromStack(dataStack);
  api = Template.fromStack(apiStack);
}, 120_000);

type Resource = { Properties: Record<string, unknown> };
const resources = (template: Template, type: string) =>
  Object.values(template.findResources(type)) as Resource[];

describe('the data stack', () => {
  it('has the one table from the shared definition, with TTL, PITR and the due index', () => {
    data.resourceCountIs('AWS::DynamoDB::Table', 1);
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'duePk', KeyType: 'HASH' },
            { AttributeName: 'dueSk', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
    data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('has every queue with its own DLQ and the defined redrive and visibility', () => {
    data.resourceCountIs('AWS::SQS::Queue', queueDefinitions.length * 2);
    for (const queue of queueDefinitions) {
      data.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: queue.visibilityTimeoutSeconds,
        RedrivePolicy: { maxReceiveCount: queue.maxReceiveCount, deadLetterTargetArn: Match.anyValue() },
        SqsManagedSseEnabled: true,
      });
      expect(dlqName(queue)).toBe(`${queue.name}-dlq`);
    }
    expect(
      resources(data, 'AWS::SQS::Queue').filter(
        (q) => q.Properties.MessageRetentionPeriod === 14 * 24 * 3600,
      ),
    ).toHaveLength(queueDefinitions.length);
  });
});

describe('the API stack', () => {
  it('runs every function on Node.js 24, arm64, with tracing', () => {
    const functions = resources(api, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(6);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('has exactly one API Gateway route per entry of the route table, a $default one, and no authorizer', () => {
    const keys = resources(api, 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual([...routes.map(routeKey), '$default'].sort());
    api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 5000, ThrottlingBurstLimit: 5000 },
    });
  });

  it('sends what no route matches ($default) to the system function, without authorization', () => {
    const routeResources = resources(api, 'AWS::ApiGatewayV2::Route');
    const targetOf = (key: string) => routeResources.find((r) => r.Properties.RouteKey === key)?.Properties;
    const fallback = targetOf('$default');
    const systemKeys = routes.filter((r) => r.group === DEFAULT_ROUTE_GROUP).map(routeKey);
    expect(systemKeys.length).toBeGreaterThan(0);
    for (const key of systemKeys) expect(fallback?.Target).toEqual(targetOf(key)?.Target);
    expect(fallback?.AuthorizationType ?? 'NONE').toBe('NONE');
    const other = routes.find((r) => r.group !== DEFAULT_ROUTE_GROUP);
    expect(other && fallback?.Target).not.toEqual(other && targetOf(routeKey(other))?.Target);
  });

  it('feeds each queue that has a worker through an event source reporting partial batch failures', () => {
    const mappings = resources(api, 'AWS::Lambda::EventSourceMapping');
    const withWorkers = queueDefinitions.filter((q) => q.worker);
    expect(mappings).toHaveLength(withWorkers.length);
    for (const queue of withWorkers) {
      expect(mappings).toContainEqual(
        expect.objectContaining({
          Properties: expect.objectContaining({
            BatchSize: queue.batchSize,
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            ScalingConfig: { MaximumConcurrency: queue.maxConcurrency },
          }),
        }),
      );
    }
  });

  it('runs the scheduler every minute', () => {
    api.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
    });
  });

  it('alarms on every DLQ and every function, to one topic', () => {
    const alarms = resources(api, 'AWS::CloudWatch::Alarm');
    const dlqAlarms = alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    const errorAlarms = alarms.filter((a) => a.Properties.MetricName === 'Errors');
    expect(dlqAlarms).toHaveLength(queueDefinitions.length);
    expect(errorAlarms).toHaveLength(
      resources(api, 'AWS::Lambda::Function').filter((f) => f.Properties.Runtime === 'nodejs24.x').length,
    );
    api.resourceCountIs('AWS::SNS::Topic', 1);
    api.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('grants least privilege: no wildcard actions, data access only on the table', () => {
    const statements = [
      ...resources(api, 'AWS::IAM::Policy'),
      ...resources(data, 'AWS::IAM::Policy'),
    ].flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
    );
    expect(statements.length).toBeGreaterThan(0);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    for (const action of actions) {
      expect(action).not.toBe('*');
      expect(action).not.toMatch(/^(dynamodb|sqs):\*$/);
    }
    expect(actions).not.toContain('dynamodb:DeleteTable');
    expect(actions).not.toContain('dynamodb:CreateTable');
    // Transactions are authorised per item action (there is no TransactWriteItems action).
    expect(actions).toContain('dynamodb:PutItem');
    expect(actions).toContain('dynamodb:ConditionCheckItem');
    expect(actions).toContain('sqs:SendMessage');
  });
});
