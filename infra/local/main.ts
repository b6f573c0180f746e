import path from 'node:path';
import * as z from 'zod';
import { ConfigError } from '../../shared/config.ts';
import { startHerald } from './runtime.ts';

/**
 * `npm start`: Herald on this machine. Configuration from the environment:
 * PORT (default 3000), HOST (default 127.0.0.1), HERALD_DATA_DIR (default .herald/data),
 * AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS (use those engines instead of the embedded
 * ones), and every HERALD_* variable of shared/config.ts: a bad value exits with status 2 naming it.
 * The functions log at HERALD_LOG_LEVEL (INFO) in HERALD_LOG_FORMAT (here `text`, a readable line).
 */
const environment = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    HERALD_DATA_DIR: z.string().default('.herald/data'),
    HERALD_SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  })
  .safeParse(process.env);
if (!environment.success) {
  for (const issue of environment.error.issues)
    console.error(`herald: ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const { PORT, HOST, HERALD_DATA_DIR, HERALD_SCHEDULER_INTERVAL_MS } = environment.data;

const runtime = await startHerald({
  port: PORT,
  host: HOST,
  dataDir: path.resolve(HERALD_DATA_DIR),
  schedulerIntervalMs: HERALD_SCHEDULER_INTERVAL_MS,
}).catch((error: unknown) => {
  // A bad HERALD_* value: say which, and refuse to start (nothing has started yet).
  if (!(error instanceof ConfigError)) throw error;
  console.error(`herald: ${error.message}`);
  process.exit(2);
});
console.log(`Herald is listening on ${runtime.url}`);
console.log(
  `  data: ${path.resolve(HERALD_DATA_DIR)}  (DynamoDB at ${runtime.endpoints.dynamodb}, SQS at ${runtime.endpoints.sqs})`,
);
console.log(
  `  try:  curl -H "Authorization: Bearer $(cat ${path.relative(process.cwd(), runtime.rootKeyFile ?? '.herald/data/admin-key')})" ${runtime.url}/im/health`,
);
console.log('Press Ctrl-C to stop.');

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Herald…`);
  runtime.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
