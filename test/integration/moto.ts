import { type ChildProcess, spawn } from 'node:child_process';

/**
 * moto_server (Python moto: the SES v2 API over HTTP) for the tests that send through SES. moto
 * must be installed (`pip install 'moto[server]==5.2.1'`): without it the test fails, never skips.
 */
export interface Moto {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`moto_server did not start in 30 s:\n${output}`)),
      30_000,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(
              "moto_server is not installed (or not on PATH). Install it with `pip install 'moto[server]==5.2.1'`.",
            )
          : error,
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with ${code} before it was ready:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface MotoMessage {
  readonly id: string;
  readonly source: string;
  readonly subject: string;
  /** The HTML part, else the text. */
  readonly body: string;
  readonly destinations: { readonly ToAddresses?: readonly string[] };
}

/** What moto recorded as sent (its model dump): source, subject, body, destinations. */
export async function motoSentMessages(url: string): Promise<MotoMessage[]> {
  const response = await fetch(`${url}/moto-api/data.json`);
  const data = (await response.json()) as { ses?: { Message?: MotoMessage[] } }; // moto's own JSON dump
  return data.ses?.Message ?? [];
}
