import path from 'node:path';
import { ConfigError } from '../../shared/config.ts';
import * as z from '../../shared/schemas/zod.ts';
import { MetricsSummary } from './metrics-summary.ts';
import { startHerald } from './runtime.ts';

/**
 * `npm start`: Herald on this machine. Configuration from the environment:
 * PORT (default 3000), HOST (default 127.0.0.1), HERALD_DATA_DIR (default .herald/data),
 * AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS (use those engines instead of the embedded
 * ones), and every HERALD_* variable of shared/config.ts: a bad value exits with status 2 naming it.
 * The functions log at HERALD_LOG_LEVEL (INFO) in HERALD_LOG_FORMAT (here `text`, a readable line);
 * their metrics are summed into one line every HERALD_METRICS_SUMMARY_SECONDS (60; 0: never), and
 * with HERALD_LOG_FORMAT=json also written as the EMF documents a Lambda writes.
 */
const environment = z
  .object({
    PORT: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65_535)), 3000),
    HOST: z._default(z.string(), '127.0.0.1'),
    HERALD_DATA_DIR: z._default(z.string(), '.herald/data'),
    HERALD_SCHEDULER_INTERVAL_MS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 60_000),
    HERALD_METRICS_SUMMARY_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 60),
  })
  .safeParse(process.env);
if (!environment.success) {
  for (const issue of environment.error.issues)
    console.error(`herald: ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const { PORT, HOST, HERALD_DATA_DIR, HERALD_SCHEDULER_INTERVAL_MS, HERALD_METRICS_SUMMARY_SECONDS } =
  environment.data;
const summary = new MetricsSummary();
let emfToStdout = false;

const runtime = await startHerald({
  port: PORT,
  host: HOST,
  dataDir: path.resolve(HERALD_DATA_DIR),
  schedulerIntervalMs: HERALD_SCHEDULER_INTERVAL_MS,
  metricsSink: (document) => {
    summary.add(document);
    if (emfToStdout) process.stdout.write(`${document}\n`);
  },
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
emfToStdout = runtime.config.HERALD_LOG_FORMAT === 'json';
const printSummary = () => {
  const line = summary.line(HERALD_METRICS_SUMMARY_SECONDS);
  if (line) console.log(line);
};
const summaries =
  HERALD_METRICS_SUMMARY_SECONDS > 0
    ? setInterval(printSummary, HERALD_METRICS_SUMMARY_SECONDS * 1000)
    : undefined;

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Herald…`);
  clearInterval(summaries);
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
