import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HERALD_RUNTIME_ENVIRONMENT } from '../../infra/constructs/bundling.ts';
import { SES_EVENT_TYPES } from '../../infra/constructs/ses-events.ts';
import { HeraldApiStack, HeraldDataStack } from '../../infra/stacks.ts';
import {
  type FunctionDefinition,
  functionDefinitions,
  INDEX_ACTIONS,
  QUEUE_ACTIONS,
  SECRETS_ACTIONS,
  SES_ACTIONS,
  signsUnsubscribeLinks,
  TABLE_ACTIONS,
} from '../../shared/definitions/functions.ts';
import { dlqName, queueDefinitions } from '../../shared/definitions/queues.ts';
import { tableDefinition } from '../../shared/definitions/table.ts';
import { DEFAULT_ROUTE_GROUP } from '../../shared/http/route-match.ts';
import { routeKey, routes } from '../../shared/http/routes.ts';

let app: App;
let data: Template;
let api: Template;
let dataStack: HeraldDataStack;
let apiStack: HeraldApiStack;

beforeAll(() => {
  // One synthesis (each function is bundled by esbuild), shared by every assertion.
  app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  dataStack = new HeraldDataStack(app, 'test-data');
  apiStack = new HeraldApiStack(app, 'test-api', {
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
  it('has the one table from the shared definition, with TTL, PITR and its three sparse indexes', () => {
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
        Match.objectLike({
          IndexName: 'origination',
          KeySchema: [
            { AttributeName: 'originPk', KeyType: 'HASH' },
            { AttributeName: 'originSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
        Match.objectLike({
          // Keys only: a message's status updates write nothing to it (ADR 0029).
          IndexName: 'profileMessages',
          KeySchema: [
            { AttributeName: 'profileMsgPk', KeyType: 'HASH' },
            { AttributeName: 'profileMsgSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
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
    const consumed = functionDefinitions.flatMap((fn) => (fn.kind === 'worker' ? [fn.consumes] : []));
    const withWorkers = queueDefinitions.filter((q) => consumed.includes(q.name));
    expect(withWorkers).toHaveLength(queueDefinitions.length);
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

  it('grants each function exactly its entry in the function table, and sets only its variables', () => {
    expect(apiStack.functions.map((fn) => fn.definition.name).sort()).toEqual(
      functionDefinitions.map((fn) => fn.name).sort(),
    );
    for (const fn of apiStack.functions) {
      const { definition } = fn;
      const granted = grantsOf(fn.function.role?.node.defaultChild as CfnElement);
      // Besides its own grants a function has only X-Ray's (tracing) and, for a worker, what its
      // event source needs on the queue it consumes.
      const tracing = pairs(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']);
      const consuming =
        definition.kind === 'worker'
          ? pairs(
              [
                'sqs:ReceiveMessage',
                'sqs:ChangeMessageVisibility',
                'sqs:GetQueueUrl',
                'sqs:DeleteMessage',
                'sqs:GetQueueAttributes',
              ],
              [`queue:${definition.consumes}`],
            )
          : [];
      expect(granted.sort(), definition.name).toEqual(
        [...expectedGrants(definition), ...tracing, ...consuming].sort(),
      );
      const variables = Object.keys(environmentOf(fn.function.node.defaultChild as CfnElement)).sort();
      expect(variables, definition.name).toEqual(
        [
          ...Object.keys(HERALD_RUNTIME_ENVIRONMENT),
          'TABLE_NAME',
          ...definition.queues.map((name) => queueDefinitions.find((q) => q.name === name)?.envVar),
          ...(definition.secrets === 'none' ? [] : ['HERALD_SECRETS_KMS_KEY_ID']),
          ...(definition.unsubscribeLinks ? ['HERALD_UNSUBSCRIBE_SECRET'] : []),
          ...(signsUnsubscribeLinks(definition) ? ['HERALD_PUBLIC_URL'] : []),
          ...(definition.sesSend ? ['HERALD_SES_CONFIGURATION_SET'] : []),
          ...(definition.consoleAssets ? ['HERALD_CONSOLE_DIR'] : []),
        ].sort(),
      );
    }
  });

  it('bundles the built console beside the public function, where HERALD_CONSOLE_DIR points', () => {
    const serving = apiStack.functions.filter((fn) => fn.definition.consoleAssets);
    expect(serving.map((fn) => fn.definition.name)).toEqual(['public-api']);
    const cfn = serving[0]?.function.node.defaultChild as CfnElement;
    expect(environmentOf(cfn).HERALD_CONSOLE_DIR).toBe('/var/task/console');
    const resource = api.toJSON().Resources[apiStack.getLogicalId(cfn)] as Resource;
    // The code's S3 key is `<asset hash>.zip`; the assembly stages the asset as `asset.<hash>`.
    const key = String((resource.Properties.Code as { S3Key: string }).S3Key);
    const bundle = path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(existsSync(path.join(bundle, 'index.mjs'))).toBe(true);
    const page = readFileSync(path.join(bundle, 'console', 'index.html'), 'utf8');
    const assets = [...page.matchAll(/"\/console\/(assets\/[\w.-]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.some((asset) => asset.endsWith('.js'))).toBe(true);
    for (const asset of assets) expect(existsSync(path.join(bundle, 'console', asset)), asset).toBe(true);
  });

  it('reads with Get/BatchGet/Query, writes with item actions only, never Scan or streams', () => {
    expect([...TABLE_ACTIONS.read].sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'].sort(),
    );
    expect([...TABLE_ACTIONS['read-write']].sort()).toEqual(
      [
        ...TABLE_ACTIONS.read,
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
      ].sort(),
    );
    expect(INDEX_ACTIONS).toEqual(['dynamodb:Query']);
    expect(QUEUE_ACTIONS).toEqual(['sqs:SendMessage']);
    const everything = apiStack.functions.flatMap((fn) =>
      grantsOf(fn.function.role?.node.defaultChild as CfnElement),
    );
    expect(
      everything.filter((grant) => /^dynamodb:(Scan|\w*Stream\w*|GetRecords|GetShardIterator) /.test(grant)),
    ).toEqual([]);
  });

  it('lets only the channels function seal secrets and only the dispatcher open them, on the secrets key alone', () => {
    const kmsGrants = (fn: (typeof apiStack.functions)[number]) =>
      grantsOf(fn.function.role?.node.defaultChild as CfnElement).filter((g) => g.startsWith('kms:'));
    const using = apiStack.functions.filter((fn) => kmsGrants(fn).length > 0);
    expect(Object.fromEntries(using.map((fn) => [fn.definition.name, kmsGrants(fn)]))).toEqual({
      'channels-api': ['kms:Encrypt secrets-key'],
      'dispatch-worker': ['kms:Decrypt secrets-key'],
    });
    data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('gives the unsubscribe secret to the functions that verify or sign links, as a dynamic reference, never its value', () => {
    data.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    const withSecret = apiStack.functions.filter(
      (fn) => 'HERALD_UNSUBSCRIBE_SECRET' in environmentOf(fn.function.node.defaultChild as CfnElement),
    );
    expect(withSecret.map((fn) => fn.definition.name).sort()).toEqual(['dispatch-worker', 'public-api']);
    const value = JSON.stringify(
      environmentOf(withSecret[0]?.function.node.defaultChild as CfnElement).HERALD_UNSUBSCRIBE_SECRET,
    );
    expect(value).toContain('{{resolve:secretsmanager:');
    // Resolved by CloudFormation at deploy time: the role needs (and has) no Secrets Manager action.
    const granted = grantsOf(withSecret[0]?.function.role?.node.defaultChild as CfnElement);
    expect(granted.filter((g) => g.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('gives the system function (health, OpenAPI, 404/405) no write and no queue', () => {
    const system = apiStack.functions.find((fn) => fn.definition.name === 'system-api');
    expect(system?.definition).toMatchObject({ table: 'read', queues: [], indexes: [] });
    const granted = grantsOf(system?.function.role?.node.defaultChild as CfnElement);
    expect(granted.filter((grant) => grant.startsWith('dynamodb:')).sort()).toEqual(
      pairs(TABLE_ACTIONS.read, ['table']).sort(),
    );
    expect(granted.filter((grant) => grant.startsWith('sqs:'))).toEqual([]);
  });
});

describe('SES feedback (the data stack)', () => {
  const providerEvents = () => {
    const found = dataStack.data.queues.find((q) => q.definition.name === 'provider-events');
    if (!found) throw new Error('no provider-events queue');
    return {
      queue: dataStack.getLogicalId(found.queue.node.defaultChild as CfnElement),
      dlq: dataStack.getLogicalId(found.deadLetterQueue.node.defaultChild as CfnElement),
    };
  };
  const topicId = () =>
    dataStack.getLogicalId(dataStack.data.sesEvents?.topic.node.defaultChild as CfnElement);
  const configurationSetId = () =>
    dataStack.getLogicalId(dataStack.data.sesEvents?.configurationSet.node.defaultChild as CfnElement);

  it('has a configuration set named after the data stack, publishing the status events to one topic', () => {
    data.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    data.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'test-data-events' });
    data.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
    data.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configurationSetId() },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: [
          'send',
          'delivery',
          'bounce',
          'complaint',
          'reject',
          'renderingFailure',
          'deliveryDelay',
        ],
        SnsDestination: { TopicARN: { Ref: topicId() } },
      },
    });
    expect(SES_EVENT_TYPES).toHaveLength(7);
    data.resourceCountIs('AWS::SNS::Topic', 1);
  });

  it('lets only SES, for this account and configuration set, publish to the topic', () => {
    data.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: {
              StringEquals: {
                'AWS:SourceAccount': { Ref: 'AWS::AccountId' },
                'AWS:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':ses:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':configuration-set/',
                      { Ref: configurationSetId() },
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('subscribes the provider-events queue (raw delivery off), which has its DLQ and accepts that topic only', () => {
    const { queue, dlq } = providerEvents();
    const definition = queueDefinitions.find((q) => q.name === 'provider-events');
    data.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: definition?.visibilityTimeoutSeconds,
      RedrivePolicy: {
        maxReceiveCount: definition?.maxReceiveCount,
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
      },
    });
    const subscriptions = resources(data, 'AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]?.Properties).toEqual({
      Protocol: 'sqs',
      TopicArn: { Ref: topicId() },
      Endpoint: { 'Fn::GetAtt': [queue, 'Arn'] },
      RawMessageDelivery: false,
    });
    const policies = resources(data, 'AWS::SQS::QueuePolicy').filter((p) =>
      (p.Properties.Queues as unknown[]).some((q) => JSON.stringify(q) === JSON.stringify({ Ref: queue })),
    );
    const allows = policies.flatMap((p) =>
      (p.Properties.PolicyDocument as { Statement: { Effect: string }[] }).Statement.filter(
        (s) => s.Effect === 'Allow',
      ),
    );
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'sns.amazonaws.com' },
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId() } } },
      },
    ]);
  });
});

describe('SES sending permission (the API stack)', () => {
  const sesStatements = (template: Template) =>
    resources(template, 'AWS::IAM::Policy').flatMap((policy) =>
      (
        policy.Properties.PolicyDocument as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        }
      ).Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:'))).map((s) => ({
        roles: policy.Properties.Roles,
        ...s,
      })),
    );

  /** Both stacks again with SES contexts; the functions are not bundled (only their policies matter). */
  function synth(options: { sesIdentityArn?: string; sesConfigurationSet?: string }) {
    const app = new App({
      context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', 'aws:cdk:bundling-stacks': [] },
    });
    const dataStackWithSes = new HeraldDataStack(app, 'ses-data', {
      ...(options.sesConfigurationSet ? { sesConfigurationSet: options.sesConfigurationSet } : {}),
    });
    const apiStackWithSes = new HeraldApiStack(app, 'ses-api', {
      data: dataStackWithSes.data,
      ...(options.sesIdentityArn ? { sesIdentityArn: options.sesIdentityArn } : {}),
    });
    return {
      dataStack: dataStackWithSes,
      apiStack: apiStackWithSes,
      api: Template.fromStack(apiStackWithSes),
    };
  }

  it('gives the dispatcher the configuration set, and no function any SES permission without sesIdentityArn', () => {
    expect(sesStatements(api)).toEqual([]);
    const withSet = apiStack.functions.filter(
      (fn) => 'HERALD_SES_CONFIGURATION_SET' in environmentOf(fn.function.node.defaultChild as CfnElement),
    );
    expect(withSet.map((fn) => fn.definition.name)).toEqual(['dispatch-worker']);
    expect(
      environmentOf(withSet[0]?.function.node.defaultChild as CfnElement).HERALD_SES_CONFIGURATION_SET,
    ).toBe('test-data-events');
    expect(functionDefinitions.filter((fn) => fn.sesSend).map((fn) => fn.name)).toEqual(['dispatch-worker']);
  });

  it('grants ses:SendEmail to the dispatcher only, on the identity and the configuration set alone', () => {
    const identity = 'arn:aws:ses:eu-west-1:123456789012:identity/example.com';
    const synthesized = synth({ sesIdentityArn: identity, sesConfigurationSet: 'acme-mail' });
    Template.fromStack(synthesized.dataStack).hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'acme-mail',
    });
    const dispatch = synthesized.apiStack.functions.find((fn) => fn.definition.name === 'dispatch-worker');
    const roleId = synthesized.apiStack.getLogicalId(
      dispatch?.function.role?.node.defaultChild as CfnElement,
    );
    const statements = sesStatements(synthesized.api);
    expect(SES_ACTIONS).toEqual(['ses:SendEmail']);
    expect(statements).toEqual([
      {
        roles: [{ Ref: roleId }],
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Resource: [
          identity,
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ses:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':configuration-set/acme-mail',
              ],
            ],
          },
        ],
      },
    ]);
    expect(JSON.stringify(statements)).not.toContain('*');
  });

  it('refuses an identity ARN that is a pattern or not an SES identity', () => {
    expect(() => synth({ sesIdentityArn: 'arn:aws:ses:eu-west-1:123456789012:identity/*' })).toThrow(
      /sesIdentityArn must be one SES identity/,
    );
    expect(() => synth({ sesIdentityArn: 'arn:aws:s3:::bucket' })).toThrow(/sesIdentityArn/);
  });
});

/** "action resource" for every action and resource. */
function pairs(actions: readonly string[], resources: readonly string[]): string[] {
  return actions.flatMap((action) => resources.map((resource) => `${action} ${resource}`));
}

/** What the function table says a function may do, as "action resource" pairs. */
function expectedGrants(definition: FunctionDefinition): string[] {
  return [
    ...pairs(TABLE_ACTIONS[definition.table], ['table']),
    ...pairs(
      INDEX_ACTIONS,
      definition.indexes.map((index) => `table/index/${index}`),
    ),
    ...pairs(
      QUEUE_ACTIONS,
      definition.queues.map((name) => `queue:${name}`),
    ),
    ...(definition.secrets === 'none' ? [] : pairs(SECRETS_ACTIONS[definition.secrets], ['secrets-key'])),
  ];
}

/**
 * The data stack resource a policy resource names, by the logical id its cross-stack reference
 * carries: `table`, `table/index/<name>`, `queue:<name>`, `dlq:<name>`, or `*`.
 */
function resourceName(resource: unknown): string {
  if (resource === '*') return '*';
  const text = JSON.stringify(resource);
  const index = /\/index\/([\w-]+)/.exec(text)?.[1];
  const named: [string, string][] = [
    [dataStack.getLogicalId(dataStack.data.table.node.defaultChild as CfnElement), 'table'],
    [dataStack.getLogicalId(dataStack.data.secretsKey.node.defaultChild as CfnElement), 'secrets-key'],
    ...dataStack.data.queues.flatMap(({ definition, queue, deadLetterQueue }): [string, string][] => [
      [dataStack.getLogicalId(queue.node.defaultChild as CfnElement), `queue:${definition.name}`],
      [dataStack.getLogicalId(deadLetterQueue.node.defaultChild as CfnElement), `dlq:${definition.name}`],
    ]),
  ];
  // Longest id first: a DLQ's logical id may start with its queue's.
  const match = named.sort((a, b) => b[0].length - a[0].length).find(([id]) => text.includes(id));
  if (!match) throw new Error(`unrecognised policy resource ${text}`);
  return index ? `${match[1]}/index/${index}` : match[1];
}

/** Every "action resource" the policies attached to a role allow (all statements are Allow). */
function grantsOf(role: CfnElement): string[] {
  const roleId = apiStack.getLogicalId(role);
  const policies = resources(api, 'AWS::IAM::Policy').filter((policy) =>
    (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
  );
  return policies.flatMap((policy) =>
    (
      policy.Properties.PolicyDocument as {
        Statement: { Effect: string; Action: string | string[]; Resource: unknown }[];
      }
    ).Statement.flatMap((statement) => {
      expect(statement.Effect).toBe('Allow');
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      const targets = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      return pairs(actions, targets.map(resourceName));
    }),
  );
}

function environmentOf(fn: CfnElement): Record<string, unknown> {
  const resource = api.toJSON().Resources[apiStack.getLogicalId(fn)] as Resource;
  return (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}
