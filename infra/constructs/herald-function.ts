import path from 'node:path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  END_USER_MESSAGING_ACTIONS,
  type FunctionDefinition,
  INDEX_ACTIONS,
  type IndexName,
  QUEUE_ACTIONS,
  SECRETS_ACTIONS,
  SES_ACTIONS,
  type SecretsAccess,
  SNS_PUSH_ACTIONS,
  SNS_SMS_ACTIONS,
  TABLE_ACTIONS,
  type TableAccess,
} from '../../shared/definitions/functions.ts';
import {
  BUNDLE_ENTRY,
  bundleFunction,
  HERALD_RUNTIME_ENVIRONMENT,
  SOURCE_MAPS_CONTEXT,
  SOURCE_MAPS_NODE_OPTIONS,
  TRACING_CONTEXT,
  TRACING_DEFAULT,
} from './bundling.ts';
import type { HeraldQueue } from './data.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

/** Where the console's files are in a function that serves them: beside its code (ADR 0019). */
export const CONSOLE_DIR_IN_LAMBDA = '/var/task/console';

/**
 * A function's code: `bundleFunction` (bundling.ts) run by CDK's local bundling, into the asset's
 * directory, hashed by its output. The same build `bench/bundles.ts` measures: esbuild with code
 * splitting (NodejsFunction's own bundling writes one file, so it is given this code instead), the
 * files the code reads beside it, and the console for the function serving it. Docker is never
 * used; the image is named because CDK's bundling options must have one.
 */
export function heraldCode(
  entry: string,
  options: { tracing: boolean; consoleAssets: boolean },
): lambda.Code {
  const local: ILocalBundling = {
    tryBundle(outputDir) {
      bundleFunction(path.join(PROJECT_ROOT, entry), outputDir, options);
      return true;
    },
  };
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('herald-bundles-are-built-locally'),
      local,
      // Part of CDK's cache key: one bundle per entry and options within a synth.
      environment: { HERALD_ENTRY: entry, HERALD_TRACING: String(options.tracing) },
    },
  });
}

/** The stateful resources a function may be granted: the data stack's table, queues and secrets key. */
export interface HeraldFunctionData {
  readonly table: dynamodb.ITable;
  readonly queues: readonly HeraldQueue[];
  readonly secretsKey: kms.IKey;
  readonly unsubscribeSecret: secretsmanager.ISecret;
  /**
   * SES for the functions that send email (`sesSend` in the function table): the configuration
   * set they send with, and the identity they may send as (context `sesIdentityArn`). Without an
   * identity they get no SES permission at all. @default no SES
   */
  readonly ses?: HeraldSesData;
  /** SNS for the functions that send SMS and push (`snsSend` in the function table). @default no SNS permission */
  readonly sns?: HeraldSnsData;
}

export interface HeraldSnsData {
  /** Grant `sns:Publish` for SMS to phone numbers (IAM has no narrower resource for it). @default false */
  readonly sms?: boolean;
  /** The SNS platform applications push may go through (`arn:aws:sns:<region>:<account>:app/<platform>/<name>`). @default none */
  readonly pushApplicationArns?: readonly string[];
  /**
   * The End User Messaging resources SMS may be sent with (`SendTextMessage` is authorised on the
   * origination identity, the configuration set and the opt-out list): ARNs of phone numbers,
   * pools, sender IDs, configuration sets and opt-out lists. @default none
   */
  readonly endUserMessagingArns?: readonly string[];
  /**
   * The data stack's End User Messaging configuration set (HeraldSmsEvents): set as
   * HERALD_SMS_CONFIGURATION_SET, and added to the SendTextMessage grant when there is one. @default none
   */
  readonly endUserMessagingConfigurationSet?: { readonly name: string; readonly arn: string };
}

/** An End User Messaging resource ARN SendTextMessage is authorised on, naming one resource. */
const END_USER_MESSAGING_ARN =
  /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id|configuration-set|opt-out-list)\/[A-Za-z0-9_:-]+$/;

/** An SNS platform application ARN naming one application, never a pattern. */
const SNS_APPLICATION_ARN =
  /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):(\d{12}):app\/(APNS|APNS_SANDBOX|GCM)\/([A-Za-z0-9_.-]+)$/;

export interface HeraldSesData {
  /** The data stack's configuration set (its event destination feeds the provider-events queue). */
  readonly configurationSetName: string;
  /** `arn:aws:ses:<region>:<account>:identity/<domain or address>`; no wildcard. */
  readonly identityArn?: string;
}

/** An SES identity ARN naming one identity (a domain or an address), never a pattern. */
const SES_IDENTITY_ARN = /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/[^*?\s]+$/;

export interface HeraldFunctionProps {
  /** The function's entry in the function table: its code, table access and queues. */
  readonly definition: FunctionDefinition;
  /** Where the definition's table and queues are. */
  readonly data: HeraldFunctionData;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default the definition's `memoryMb` */
  readonly memorySize?: number;
  /**
   * Concurrency reserved for this function alone (and its cap), out of the account's pool.
   * @default none: it shares the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /** Extra environment; a variable may not be set twice with different values. @default {} */
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Herald's house Lambda function: Node.js 24 on arm64, ESM code built by local esbuild
 * (`heraldCode`, `bundleFunction` in `bundling.ts`: `index.mjs` and the chunks it loads by `import()`;
 * the AWS SDK v3 clients are bundled too, so the deployed code runs the versions the tests ran;
 * source maps shipped, loaded only with the `herald:sourceMaps` context), X-Ray tracing, its own log group. It is granted what its entry in the function table
 * says and nothing more: `bindTable` and `bindQueue` set the variable and grant the IAM permission
 * together, with explicit statements (the CDK's `grant*` helpers give more: `grantReadData`
 * includes Scan and stream reads, `grantSendMessages` queue attributes).
 */
export class HeraldFunction extends Construct {
  readonly function: NodejsFunction;
  readonly definition: FunctionDefinition;
  private readonly environment = new Map<string, string>();

  constructor(scope: Construct, id: string, props: HeraldFunctionProps) {
    super(scope, id);
    this.definition = props.definition;
    const tracing = booleanContext(this, TRACING_CONTEXT, TRACING_DEFAULT);
    const logGroup = new logs.LogGroup(this, 'logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, 'function', {
      code: heraldCode(props.definition.entry, { tracing, consoleAssets: props.definition.consoleAssets }),
      handler: `${path.basename(BUNDLE_ENTRY, '.mjs')}.handler`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? props.definition.memoryMb,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      logGroup,
      environment: { ...HERALD_RUNTIME_ENVIRONMENT },
    });
    const sourceMaps = String(this.node.tryGetContext(SOURCE_MAPS_CONTEXT) ?? 'false');
    if (sourceMaps === 'true') this.setEnvironment('NODE_OPTIONS', SOURCE_MAPS_NODE_OPTIONS);
    else if (sourceMaps !== 'false') {
      throw new Error(`context ${SOURCE_MAPS_CONTEXT} must be true or false, not '${sourceMaps}'`);
    }
    for (const [name, value] of Object.entries(props.environment ?? {})) this.setEnvironment(name, value);
    const { definition, data } = props;
    this.bindTable(data.table, definition.table, definition.indexes);
    for (const name of definition.queues) {
      const queue = data.queues.find((q) => q.definition.name === name);
      if (!queue) throw new Error(`${this.node.path}: sends to queue '${name}', which the data has not`);
      this.bindQueue(queue);
    }
    if (definition.secrets !== 'none') this.bindSecrets(data.secretsKey, definition.secrets);
    if (definition.unsubscribeLinks) this.bindUnsubscribeSecret(data.unsubscribeSecret);
    if (definition.sesSend && data.ses) this.bindSes(data.ses);
    if (definition.consoleAssets) this.setEnvironment('HERALD_CONSOLE_DIR', CONSOLE_DIR_IN_LAMBDA);
    if (definition.snsSend && data.sns) this.bindSns(data.sns);
  }

  /**
   * SMS: `sns:Publish` on `*` (publishing to a phone number names no resource). Push: for each
   * platform application, `sns:CreatePlatformEndpoint` on it and `sns:Publish` on its endpoints
   * (`…:endpoint/<platform>/<name>/*`) only.
   */
  bindSns({
    sms,
    pushApplicationArns = [],
    endUserMessagingArns = [],
    endUserMessagingConfigurationSet,
  }: HeraldSnsData): this {
    if (endUserMessagingConfigurationSet)
      this.setEnvironment('HERALD_SMS_CONFIGURATION_SET', endUserMessagingConfigurationSet.name);
    if (endUserMessagingArns.length > 0) {
      const wrong = endUserMessagingArns.find((arn) => !END_USER_MESSAGING_ARN.test(arn));
      if (wrong !== undefined)
        throw new Error(
          `${this.node.path}: endUserMessagingArns must be End User Messaging ARNs (arn:aws:sms-voice:<region>:<account>:<phone-number|pool|sender-id|configuration-set|opt-out-list>/<id>), not '${wrong}'`,
        );
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...END_USER_MESSAGING_ACTIONS],
          resources: [
            ...endUserMessagingArns,
            ...(endUserMessagingConfigurationSet ? [endUserMessagingConfigurationSet.arn] : []),
          ],
        }),
      );
    }
    if (sms)
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ actions: [...SNS_SMS_ACTIONS], resources: ['*'] }),
      );
    if (pushApplicationArns.length === 0) return this;
    const endpoints = pushApplicationArns.map((arn) => {
      const match = SNS_APPLICATION_ARN.exec(arn);
      if (!match)
        throw new Error(
          `${this.node.path}: pushApplicationArns must be SNS platform application ARNs (arn:aws:sns:<region>:<account>:app/<APNS|APNS_SANDBOX|GCM>/<name>), not '${arn}'`,
        );
      const [, partition, region, account, platform, name] = match;
      return `arn:${partition}:sns:${region}:${account}:endpoint/${platform}/${name}/*`;
    });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...SNS_PUSH_ACTIONS.application],
        resources: [...pushApplicationArns],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...SNS_PUSH_ACTIONS.endpoint], resources: endpoints }),
    );
    return this;
  }

  /**
   * HERALD_SES_CONFIGURATION_SET, and with an identity `ses:SendEmail` on that identity and that
   * configuration set only (SES authorises SendEmail on both). Herald sends with SendEmail alone
   * (Simple content), so SendRawEmail is not granted.
   */
  bindSes({ configurationSetName, identityArn }: HeraldSesData): this {
    this.setEnvironment('HERALD_SES_CONFIGURATION_SET', configurationSetName);
    if (identityArn === undefined) return this;
    if (!SES_IDENTITY_ARN.test(identityArn)) {
      throw new Error(
        `${this.node.path}: sesIdentityArn must be one SES identity's ARN (arn:aws:ses:<region>:<account>:identity/<domain or address>), not '${identityArn}'`,
      );
    }
    const configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: configurationSetName,
    });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...SES_ACTIONS], resources: [identityArn, configurationSetArn] }),
    );
    return this;
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

  /**
   * TABLE_NAME, and the data actions of `access` on the table (and Query on each index it queries);
   * never Scan, stream or table management actions.
   */
  bindTable(table: dynamodb.ITable, access: TableAccess, indexes: readonly IndexName[] = []): this {
    this.setEnvironment('TABLE_NAME', table.tableName);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...TABLE_ACTIONS[access]], resources: [table.tableArn] }),
    );
    if (indexes.length > 0) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...INDEX_ACTIONS],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    return this;
  }

  /** HERALD_SECRETS_KMS_KEY_ID, and Encrypt (seal) or Decrypt (open) on that key only. */
  bindSecrets(key: kms.IKey, access: Exclude<SecretsAccess, 'none'>): this {
    this.setEnvironment('HERALD_SECRETS_KMS_KEY_ID', key.keyArn);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...SECRETS_ACTIONS[access]], resources: [key.keyArn] }),
    );
    return this;
  }

  /**
   * HERALD_UNSUBSCRIBE_SECRET as a CloudFormation dynamic reference: resolved at deploy time into
   * the function's (KMS-encrypted) environment, never written in the template, and no Secrets
   * Manager call at cold start. The role gets no Secrets Manager permission.
   */
  bindUnsubscribeSecret(secret: secretsmanager.ISecret): this {
    return this.setEnvironment('HERALD_UNSUBSCRIBE_SECRET', secret.secretValue.unsafeUnwrap());
  }

  /** The queue's URL under its variable, and SendMessage on it (consuming is the event source's). */
  bindQueue({ definition, queue }: HeraldQueue): this {
    this.setEnvironment(definition.envVar, queue.queueUrl);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...QUEUE_ACTIONS], resources: [queue.queueArn] }),
    );
    return this;
  }
}

/** A `true`/`false` context value (the command line gives text, cdk.json booleans). */
function booleanContext(scope: Construct, key: string, fallback: boolean): boolean {
  const value = String(scope.node.tryGetContext(key) ?? fallback);
  if (value !== 'true' && value !== 'false')
    throw new Error(`context ${key} must be true or false, not '${value}'`);
  return value === 'true';
}
