import net from 'node:net';

/** A request as bytes: header values and the body go on the wire exactly as given. */
export interface RawRequest {
  readonly method: string;
  /** Path and query, sent as is (percent-encode what HTTP does not allow). */
  readonly target: string;
  /** Header lines in order; a Buffer value is written byte for byte (controls, UTF-8, obs-text). */
  readonly headers: readonly (readonly [string, string | Buffer])[];
  readonly body?: Buffer;
}

export interface RawAnswer {
  /** 0 when no HTTP answer came back (connection reset, timeout, unparseable). */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Why there is no answer (status 0), or why the body is incomplete. */
  readonly error?: string;
}

/**
 * Sends one request on its own connection (`connection: close`) and reads the whole answer. Fetch
 * and node:http both refuse control characters and non-Latin-1 text in headers, which is exactly
 * what the corpus needs to send, so the request is written by hand.
 */
export function sendRaw(port: number, request: RawRequest, timeoutMs = 30_000): Promise<RawAnswer> {
  const body = request.body ?? Buffer.alloc(0);
  const lines: Buffer[] = [
    Buffer.from(
      `${request.method} ${request.target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n`,
    ),
  ];
  const named = new Set(request.headers.map(([name]) => name.toLowerCase()));
  if (!named.has('content-length') && (body.length > 0 || request.method !== 'GET')) {
    lines.push(Buffer.from(`content-length: ${body.length}\r\n`));
  }
  for (const [name, value] of request.headers) {
    lines.push(
      Buffer.from(`${name}: `, 'latin1'),
      Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1'),
    );
    lines.push(Buffer.from('\r\n'));
  }
  lines.push(Buffer.from('\r\n'), body);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect(port, '127.0.0.1');
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks), error));
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (complete(Buffer.concat(chunks))) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // The server may answer (413, 400) and close before it has read the whole body.
    socket.on('error', (error) => finish(chunks.length > 0 ? undefined : error.message));
    socket.write(Buffer.concat(lines));
  });
}

function complete(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.subarray(0, end).toString('latin1'));
  return length?.[1] !== undefined && data.length >= end + 4 + Number(length[1]);
}

function parseAnswer(data: Buffer, error: string | undefined): RawAnswer {
  const end = data.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(0, Math.max(end, 0)).toString('latin1'));
  if (end < 0 || !status?.[1]) {
    return {
      status: 0,
      headers: {},
      body: data,
      error: error ?? `unparseable answer (${data.length} bytes)`,
    };
  }
  const headers: Record<string, string> = {};
  for (const line of data.subarray(0, end).toString('latin1').split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'];
  const rest = data.subarray(end + 4);
  // An answer cut short (by the timeout, or a reset) keeps its status but says what is missing.
  const short =
    length !== undefined && rest.length < Number(length)
      ? `answer cut short: ${rest.length} of ${length} bytes${error ? ` (${error})` : ''}`
      : undefined;
  return {
    status: Number(status[1]),
    headers,
    body: length !== undefined ? rest.subarray(0, Number(length)) : rest,
    ...(short ? { error: short } : {}),
  };
}
