import { parseArgs } from 'node:util';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * `npm run smtp-sink`: an SMTP server for watching Herald's email arrive locally. Accepts every
 * message (no authentication, no TLS) and prints it: sender, recipients, subject, the
 * List-Unsubscribe headers of marketing mail, the text part and the size of the HTML part. Nothing
 * is delivered anywhere. `--host`/`--port` (or SMTP_SINK_HOST/SMTP_SINK_PORT) pick where it
 * listens: 127.0.0.1:2525 unless told (`--port 0` picks a free port). Ctrl-C stops it.
 */
const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.SMTP_SINK_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.SMTP_SINK_PORT ?? '2525' },
  },
});
const host = values.host;
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`smtp-sink: --port must be a port number (0 to 65535), not ${values.port}`);
  process.exit(2);
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string =>
  (Array.isArray(field) ? field : field ? [field] : []).map((a) => a.text).join(', ') || '-';

/** A header's value as text (mailparser parses some into objects). */
function headerText(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name);
  return line
    ? line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim()
    : undefined;
}

let count = 0;

function print(mail: ParsedMail, envelope: { from: string; to: string[] }): void {
  count += 1;
  const lines = [
    `──── message ${count} ─ ${new Date().toISOString()} ────`,
    `From:        ${addresses(mail.from)}`,
    `To:          ${addresses(mail.to)}`,
    `Envelope:    ${envelope.from || '<>'} → ${envelope.to.join(', ')}`,
    `Subject:     ${mail.subject ?? ''}`,
    `Message-ID:  ${mail.messageId ?? '-'}`,
  ];
  const unsubscribe = headerText(mail, 'list-unsubscribe');
  if (unsubscribe !== undefined) lines.push(`List-Unsubscribe: ${unsubscribe}`);
  const unsubscribePost = headerText(mail, 'list-unsubscribe-post');
  if (unsubscribePost !== undefined) lines.push(`List-Unsubscribe-Post: ${unsubscribePost}`);
  if (typeof mail.html === 'string') {
    lines.push(`HTML part:   ${Buffer.byteLength(mail.html, 'utf8')} bytes`);
  }
  if (mail.text !== undefined && mail.text.trim() !== '') {
    lines.push(
      'Text part:',
      ...mail.text
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`),
    );
  } else {
    lines.push('Text part:   (none)');
  }
  console.log(`${lines.join('\n')}\n`);
}

const server = new SMTPServer({
  logger: false,
  banner: 'Herald smtp-sink: accepts everything, delivers nothing',
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  size: 10 * 1024 * 1024,
  // On Ctrl-C, a message being received gets a second to finish; idle pooled connections (Herald
  // keeps its SMTP connections open) are then closed instead of holding the stop for 30 s.
  closeTimeout: 1_000,
  onData(stream, session, callback) {
    const envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
    };
    simpleParser(stream).then(
      (mail) => {
        print(mail, envelope);
        callback();
      },
      (error: Error) => {
        console.log(`✗ a message could not be read: ${error.message}`);
        callback(error);
      },
    );
  },
});
let listening = false;
// Before it listens: the port is taken (or not ours), so stop; afterwards: one client's fault.
server.on('error', (error: NodeJS.ErrnoException) => {
  if (listening) return console.error(`smtp-sink: ${error.message}`);
  console.error(`smtp-sink: cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  listening = true;
  const address = server.server.address();
  const actual = address && typeof address !== 'string' ? address.port : port;
  console.log(`SMTP sink listening on ${host}:${actual} (no auth, no TLS; Ctrl-C to stop)`);
});

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`smtp-sink: ${signal}, stopping (${count} message${count === 1 ? '' : 's'} received)`);
  server.close(() => process.exit(0));
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
