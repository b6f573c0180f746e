import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { dlqName, type QueueDefinition, queueDefinitions } from '../../shared/definitions/queues.ts';
import { tableDefinition } from '../../shared/definitions/table.ts';
import { MAX_QUEUE_MESSAGE_BYTES } from '../../shared/schemas/limits.ts';
import { HeraldSesEvents } from './ses-events.ts';
import { HeraldSmsEvents } from './sms-events.ts';

export interface HeraldDataProps {
  /** Refuse table deletion in CloudFormation. @default true */
  readonly deletionProtection?: boolean;
  /** @default queueDefinitions */
  readonly queues?: readonly QueueDefinition[];
  /**
   * The SES configuration set whose events feed the provider-events queue (context
   * `sesConfigurationSet`). @default `<stack name>-events`
   */
  readonly sesConfigurationSet?: string;
  /**
   * Create the End User Messaging SMS configuration set whose events (and numbers' two-way SMS)
   * feed the provider-events queue (the app does when `endUserMessagingArns` is given). @default false
   */
  readonly smsEvents?: boolean;
}

export interface HeraldQueue {
  readonly definition: QueueDefinition;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * The stateful resources, built from the shared definitions the local runtime also uses: the one
 * table (on-demand, point-in-time recovery, TTL, the `due` index), each queue with its DLQ, and the
 * KMS key that seals secrets kept in the table (SMTP passwords; see docs/adr on channel configurations),
 * and the SES configuration set whose events reach the provider-events queue (ses-events.ts).
 */
export class HeraldData extends Construct {
  readonly table: dynamodb.ITable;
  readonly queues: readonly HeraldQueue[];
  /** Seals and opens secrets stored in the table; never in it. */
  readonly secretsKey: kms.IKey;
  /** Signs the unsubscribe links; generated at the first deploy, kept across deploys. */
  readonly unsubscribeSecret: secretsmanager.ISecret;
  /** SES's configuration set and the way its events reach the provider-events queue (when there is one). */
  readonly sesEvents?: HeraldSesEvents;
  /** End User Messaging SMS's configuration set and topic to the provider-events queue (when asked for). */
  readonly smsEvents?: HeraldSmsEvents;

  constructor(scope: Construct, id: string, props: HeraldDataProps = {}) {
    super(scope, id);
    const table = new dynamodb.Table(this, 'table', {
      partitionKey: { name: tableDefinition.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.unsubscribeSecret = new secretsmanager.Secret(this, 'unsubscribe-secret', {
      description: 'Herald: signs unsubscribe links (rotating it revokes the links already sent)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDefinition.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType:
          index.projection === 'KEYS_ONLY' ? dynamodb.ProjectionType.KEYS_ONLY : dynamodb.ProjectionType.ALL,
      });
    }
    this.table = table;
    this.secretsKey = new kms.Key(this, 'secrets-key', {
      description: 'Herald: seals secrets stored in the table (SMTP passwords)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queues = (props.queues ?? queueDefinitions).map((definition) => {
      // Retained like the table: a stack deletion (or a replacement) must not drop queued jobs or
      // the dead letters someone still has to redrive.
      const deadLetterQueue = new sqs.Queue(this, dlqName(definition), {
        removalPolicy: RemovalPolicy.RETAIN,
        retentionPeriod: Duration.days(14),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      const queue = new sqs.Queue(this, definition.name, {
        removalPolicy: RemovalPolicy.RETAIN,
        visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
        // Explicit, as the embedded engine's default: every job Herald accepts was measured against it.
        maxMessageSizeBytes: MAX_QUEUE_MESSAGE_BYTES,
        retentionPeriod: Duration.days(4),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
      });
      return { definition, queue, deadLetterQueue };
    });
    const providerEvents = this.queues.find((q) => q.definition.name === 'provider-events');
    if (providerEvents) {
      this.sesEvents = new HeraldSesEvents(this, 'ses-events', {
        queue: providerEvents.queue,
        ...(props.sesConfigurationSet ? { configurationSetName: props.sesConfigurationSet } : {}),
      });
      if (props.smsEvents)
        this.smsEvents = new HeraldSmsEvents(this, 'sms-events', { queue: providerEvents.queue });
    }
  }
}
