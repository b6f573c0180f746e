import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  HERALD_BUNDLING,
  HERALD_RUNTIME_ENVIRONMENT,
  SOURCE_MAPS_CONTEXT,
  SOURCE_MAPS_NODE_OPTIONS,
} from './bundling.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface HeraldFunctionProps {
  /** Entry file relative to the project root, e.g. `functions/api/campaigns.ts`. */
  readonly entry: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 1024 */
  readonly memorySize?: number;
  /** Extra environment; a variable may not be set twice with different values. @default {} */
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Herald's house Lambda function: Node.js 24 on arm64, an ESM bundle built by local esbuild with
 * `HERALD_BUNDLING` (see `bundling.ts`; source maps shipped, loaded only with the
 * `herald:sourceMaps` context), X-Ray tracing, its own log group. `bindTable` and
 * `bindQueue` set the variable and grant the IAM permission together.
 */
export class HeraldFunction extends Construct {
  readonly function: NodejsFunction;
  private readonly environment = new Map<string, string>();

  constructor(scope: Construct, id: string, props: HeraldFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, 'function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 1024,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: HERALD_BUNDLING,
      environment: { ...HERALD_RUNTIME_ENVIRONMENT },
    });
    const sourceMaps = String(this.node.tryGetContext(SOURCE_MAPS_CONTEXT) ?? 'false');
    if (sourceMaps === 'true') this.setEnvironment('NODE_OPTIONS', SOURCE_MAPS_NODE_OPTIONS);
    else if (sourceMaps !== 'false') {
      throw new Error(`context ${SOURCE_MAPS_CONTEXT} must be true or false, not '${sourceMaps}'`);
    }
    for (const [name, value] of Object.entries(props.environment ?? {})) this.setEnvironment(name, value);
  }

  /** Sets a variable once; setting it again to another value is a mistake worth failing on. */
  setEnvironment(name: string, value: string): this {
    const existing = this.environment.get(name);
    if (existing !== undefined && existing !== value) {
      throw new Error(`${this.node.path}: ${name} is already set to a different value`);
    }
    this.environment.set(name, value);
    this.function.addEnvironment(name, value);
    return this;
  }

  /** TABLE_NAME, and read-only or read/write data access (never table management). */
  bindTable(table: dynamodb.ITable, access: 'r' | 'rw'): this {
    this.setEnvironment('TABLE_NAME', table.tableName);
    if (access === 'r') table.grantReadData(this.function);
    else table.grantReadWriteData(this.function);
    return this;
  }

  /** The queue URL under `envVar`, and permission to send to it (consuming is the event source's). */
  bindQueue(queue: sqs.IQueue, envVar: string): this {
    this.setEnvironment(envVar, queue.queueUrl);
    queue.grantSendMessages(this.function);
    return this;
  }
}
