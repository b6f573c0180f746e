import { startDynamoDbEngine } from '../infra/local/dynamodb-engine.ts';

/**
 * The embedded DynamoDB engine on its own, for benchmarks that want it on a second core (as on
 * AWS, where the table is not in the worker's process). Prints its endpoint as one line and stops
 * when its parent closes standard input.
 */
const engine = await startDynamoDbEngine({});
process.stdout.write(`${engine.endpoint}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void engine.stop().then(() => process.exit(0));
});
