import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { functionNamed } from '../../shared/definitions/functions.ts';
import { HeraldFunction, type HeraldFunctionData } from './herald-function.ts';

export type HeraldSchedulerProps = HeraldFunctionData;

/** The scheduler function, run every minute by EventBridge (a timer in the local runtime). */
export class HeraldScheduler extends Construct {
  readonly function: HeraldFunction;

  constructor(scope: Construct, id: string, props: HeraldSchedulerProps) {
    super(scope, id);
    this.function = new HeraldFunction(this, 'scheduler', {
      definition: functionNamed('scheduler'),
      data: props,
      timeout: Duration.seconds(50),
    });
    new events.Rule(this, 'every-minute', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function.function)],
    });
  }
}
