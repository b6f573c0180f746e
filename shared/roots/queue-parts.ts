import type { SQSClient } from '@aws-sdk/client-sqs';
import { type HeraldConfig, requireQueueUrl } from '../config.ts';
import { SqsDispatchQueue, SqsFanoutQueue, SqsStatusEventPublisher } from '../queue/sqs-queues.ts';
import { queueJobSender } from '../use-cases/claims.ts';

/** Each queue adapter asks for its own URL, so a root missing one fails at init, naming it. */
export const dispatchQueue = (config: HeraldConfig, sqs: SQSClient) =>
  new SqsDispatchQueue(sqs, requireQueueUrl(config, 'DISPATCH_QUEUE_URL'));

export const fanoutQueue = (config: HeraldConfig, sqs: SQSClient) =>
  new SqsFanoutQueue(sqs, requireQueueUrl(config, 'FANOUT_QUEUE_URL'));

/** Status events go to the feedback queue. */
export const statusEvents = (config: HeraldConfig, sqs: SQSClient) =>
  new SqsStatusEventPublisher(sqs, requireQueueUrl(config, 'FEEDBACK_QUEUE_URL'));

/** A claim's jobs: dispatch jobs (unitary runs) and fanout jobs (audience runs). */
export const jobSender = (config: HeraldConfig, sqs: SQSClient) =>
  queueJobSender({ dispatch: dispatchQueue(config, sqs), fanoutQueue: fanoutQueue(config, sqs) });
