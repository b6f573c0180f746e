import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { HeraldQueue } from './data.ts';
import { HeraldFunction } from './herald-function.ts';

export interface HeraldSchedulerProps {
  readonly table: dynamodb.ITable;
  readonly queues: readonly HeraldQueue[];
}

/** The scheduler function, run every minute by EventBridge (a timer in the local runtime). */
export class HeraldScheduler extends Construct {
  readonly function: HeraldFunction;

  constructor(scope: Construct, id: string, props: HeraldSchedulerProps) {
    super(scope, id);
    this.function = new HeraldFunction(this, 'scheduler', {
      entry: 'functions/scheduler.ts',
      timeout: Duration.seconds(50),
    });
    this.function.bindTable(props.table, 'rw');
    for (const { definition, queue } of props.queues) this.function.bindQueue(queue, definition.envVar);
    new events.Rule(this, 'every-minute', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function.function)],
    });
  }
}
