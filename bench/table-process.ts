import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Starts the embedded DynamoDB engine in a child process (`bench/dynamodb-process.ts`), so that
 * the engine and the workers each get a core, as on AWS where the table is not in the worker's
 * process. Returns its endpoint; closing the child's standard input stops it.
 */
export async function startTableProcess() {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'dynamodb-process.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return {
    child,
    endpoint: line,
    /** The variables that point a runtime at this engine. */
    environment: {
      AWS_ENDPOINT_URL_DYNAMODB: line,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    stop: () => {
      child.stdin?.end();
    },
  };
}
