import { SMTPServer } from 'smtp-server';

/**
 * A minimal SMTP server on its own, for benchmarks that want the receiving end off the sender's
 * core (as a real mail server is). Prints `listening <port>`, then one line per message received:
 * `<arrival epoch ms> <Message-ID>`. Stops when its parent closes standard input.
 */
let received = 0;
const server = new SMTPServer({
  logger: false,
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  closeTimeout: 500,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const at = Date.now();
      received += 1;
      const head = Buffer.concat(chunks).toString('latin1', 0, 4096);
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? `(none-${received})`;
      process.stdout.write(`${at} ${id}\n`);
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.stdout.write(`listening ${address && typeof address !== 'string' ? address.port : 0}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
