import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { signsUnsubscribeLinks } from '../shared/definitions/functions.ts';
import type { QueueDefinition } from '../shared/definitions/queues.ts';
import { HeraldAlarms } from './constructs/alarms.ts';
import { HeraldApi } from './constructs/api.ts';
import { HeraldData, type HeraldQueue } from './constructs/data.ts';
import type { HeraldFunction } from './constructs/herald-function.ts';
import { HeraldScheduler } from './constructs/scheduler.ts';
import { HeraldWorkers } from './constructs/workers.ts';
import { deploySettings } from './deploy-settings.ts';

export interface HeraldDataStackProps extends StackProps {
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default queueDefinitions */
  readonly queues?: readonly QueueDefinition[];
  /** The SES configuration set's name (context `sesConfigurationSet`). @default `<stack name>-events` */
  readonly sesConfigurationSet?: string;
  /** Create End User Messaging SMS's configuration set and events topic (HeraldSmsEvents). @default false */
  readonly smsEvents?: boolean;
}

/** The stateful stack: the table and the queues. Deployed first, rarely changed. */
export class HeraldDataStack extends Stack {
  readonly data: HeraldData;

  constructor(scope: Construct, id: string, props: HeraldDataStackProps = {}) {
    super(scope, id, props);
    this.data = new HeraldData(this, 'data', {
      ...(props.deletionProtection !== undefined ? { deletionProtection: props.deletionProtection } : {}),
      ...(props.queues ? { queues: props.queues } : {}),
      ...(props.sesConfigurationSet ? { sesConfigurationSet: props.sesConfigurationSet } : {}),
      ...(props.smsEvents ? { smsEvents: true } : {}),
    });
    new CfnOutput(this, 'HeraldTableName', {
      value: this.data.table.tableName,
      description: 'For `npm run herald`',
    });
    if (this.data.sesEvents) {
      new CfnOutput(this, 'HeraldSesConfigurationSet', {
        value: this.data.sesEvents.configurationSetName,
        description: 'SES configuration set whose events reach the provider-events queue',
      });
    }
    if (this.data.smsEvents) {
      new CfnOutput(this, 'HeraldSmsConfigurationSet', {
        value: this.data.smsEvents.configurationSetName,
        description: 'End User Messaging SMS configuration set whose events reach the provider-events queue',
      });
      new CfnOutput(this, 'HeraldSmsEventsTopicArn', {
        value: this.data.smsEvents.topic.topicArn,
        description:
          "Set it as an End User Messaging number's two-way SMS channel: its STOP replies reach the provider-events queue",
      });
    }
  }
}

export interface HeraldApiStackProps extends StackProps {
  readonly data: {
    readonly table: HeraldData['table'];
    readonly queues: readonly HeraldQueue[];
    readonly secretsKey: HeraldData['secretsKey'];
    readonly unsubscribeSecret: HeraldData['unsubscribeSecret'];
    readonly sesEvents?: Pick<NonNullable<HeraldData['sesEvents']>, 'configurationSetName'>;
    readonly smsEvents?: Pick<
      NonNullable<HeraldData['smsEvents']>,
      'configurationSetName' | 'configurationSetArn'
    >;
  };
  readonly alarmEmail?: string;
  /**
   * The SES identity the dispatch function may send as (context `sesIdentityArn`): it is granted
   * `ses:SendEmail` on it and on the data stack's configuration set, nothing else. @default no SES permission
   */
  readonly sesIdentityArn?: string;
  /**
   * Let the dispatch function send SMS through SNS (context `snsSms=true`): `sns:Publish` for phone
   * numbers. @default false: no SMS permission
   */
  readonly snsSms?: boolean;
  /**
   * The SNS platform applications push goes through (context `pushApplicationArns`, comma
   * separated): the dispatcher may register endpoints on them and publish to their endpoints.
   * @default none: no push permission
   */
  readonly pushApplicationArns?: readonly string[];
  /**
   * The End User Messaging SMS resources the dispatcher may send with (context
   * `endUserMessagingArns`, comma separated): origination numbers, pools or sender IDs, and the
   * configuration set and opt-out list they use. @default none: no End User Messaging permission
   */
  readonly endUserMessagingArns?: readonly string[];
  /** Where unsubscribe links point (a custom domain); the HTTP API's own URL by default. */
  readonly publicUrl?: string;
  /**
   * Reserve each worker its queue's maximum concurrency (context `reserveWorkerConcurrency`), so
   * API bursts cannot starve the workers; see `HeraldWorkersProps`. @default true
   */
  readonly reserveWorkerConcurrency?: boolean;
}

/**
 * The stateless stack: functions, HTTP API, workers, scheduler, alarms and dashboard, over the data
 * stack. The `HERALD_*` deploy settings given as context (`deploy-settings.ts`) are validated with
 * the functions' schema before anything is built, and set on every function.
 */
export class HeraldApiStack extends Stack {
  /** Every function of the function table, each granted what its entry says. */
  readonly functions: readonly HeraldFunction[];
  /** The alarms, their topic and the dashboard. */
  readonly alarms: HeraldAlarms;

  constructor(scope: Construct, id: string, props: HeraldApiStackProps) {
    super(scope, id, props);
    const settings = deploySettings(this.node);
    const { table, queues, secretsKey, unsubscribeSecret, sesEvents, smsEvents } = props.data;
    const ses = sesEvents
      ? {
          configurationSetName: sesEvents.configurationSetName,
          ...(props.sesIdentityArn ? { identityArn: props.sesIdentityArn } : {}),
        }
      : undefined;
    if (props.sesIdentityArn && !ses)
      throw new Error('sesIdentityArn needs the data stack to have the provider-events queue');
    const sns = {
      ...(props.snsSms ? { sms: true } : {}),
      ...(props.pushApplicationArns?.length ? { pushApplicationArns: props.pushApplicationArns } : {}),
      ...(props.endUserMessagingArns?.length ? { endUserMessagingArns: props.endUserMessagingArns } : {}),
      ...(smsEvents
        ? {
            endUserMessagingConfigurationSet: {
              name: smsEvents.configurationSetName,
              arn: smsEvents.configurationSetArn,
            },
          }
        : {}),
    };
    const data = {
      table,
      queues,
      secretsKey,
      unsubscribeSecret,
      ...(ses ? { ses } : {}),
      ...(Object.keys(sns).length > 0 ? { sns } : {}),
    };
    const api = new HeraldApi(this, 'api', data);
    const workers = new HeraldWorkers(this, 'workers', {
      ...data,
      ...(props.reserveWorkerConcurrency !== undefined
        ? { reserveConcurrency: props.reserveWorkerConcurrency }
        : {}),
    });
    const scheduler = new HeraldScheduler(this, 'scheduler', data);
    this.functions = [...Object.values(api.functions), ...workers.functions, scheduler.function];
    for (const fn of this.functions)
      for (const [name, value] of Object.entries(settings)) fn.setEnvironment(name, value);
    // The functions that sign unsubscribe links put this URL in them (the public function verifies).
    for (const fn of workers.functions)
      if (signsUnsubscribeLinks(fn.definition))
        fn.setEnvironment('HERALD_PUBLIC_URL', props.publicUrl ?? api.api.apiEndpoint);
    this.alarms = new HeraldAlarms(this, 'alarms', {
      api: api.api,
      queues,
      functions: this.functions,
      dashboardName: this.stackName,
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
    });
    // Outputs of the stack itself, so their names are readable (no construct-path hash).
    new CfnOutput(this, 'ApiUrl', {
      value: api.api.apiEndpoint,
      description: 'Herald API URL: GET <ApiUrl>/im/health first',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.alarms.dashboard.dashboardName,
      description: 'CloudWatch dashboard with the figures the alarms watch',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'SNS topic every alarm notifies (subscribe more endpoints to it)',
    });
  }
}
