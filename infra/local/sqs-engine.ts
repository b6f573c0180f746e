import { mkdir } from 'node:fs/promises';
import { startFauxqs } from 'fauxqs';

/** The embedded SQS: fauxqs (SQS's protocol, with visibility timeouts, delays, DLQ redrive). */
export interface SqsEngine {
  readonly endpoint: string;
  /** The queue URL on the engine's own address (its URLs name hosts that need wildcard DNS). */
  queueUrl(url: string): string;
  stop(): Promise<void>;
}

export async function startSqsEngine(options: { dataDir?: string; port?: number }): Promise<SqsEngine> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port ?? 0,
    host: 'localhost',
    logger: false,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return {
    endpoint: server.address,
    queueUrl: (url) => new URL(new URL(url).pathname, server.address).href,
    stop: () => server.stop(),
  };
}
