import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * moto_server (Python moto: the SES v2 and SNS APIs over HTTP) for the tests that send through SES or SNS. moto
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

/** An SMS moto's SNS recorded as published to a phone number. */
export interface MotoSms {
  readonly message_id: string;
  readonly phone_number: string;
  readonly message: string;
}

/** A mobile push endpoint moto's SNS holds, with the messages published to it (id → message). */
export interface MotoEndpoint {
  readonly arn: string;
  readonly token: string;
  readonly enabled: boolean;
  readonly messages: Readonly<Record<string, string>>;
}

/** What moto's SNS recorded (its model dump): SMS published to numbers, and push endpoints. */
export async function motoSns(url: string): Promise<{ sms: MotoSms[]; endpoints: MotoEndpoint[] }> {
  const response = await fetch(`${url}/moto-api/data.json`);
  // moto's own JSON dump
  const data = (await response.json()) as { sns?: { SMS?: MotoSms[]; PlatformEndpoint?: MotoEndpoint[] } };
  return { sms: data.sns?.SMS ?? [], endpoints: data.sns?.PlatformEndpoint ?? [] };
}

/** A port that was just free: bound and closed, so nothing listens there (a provider that is down). */
export async function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
