import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from './receiver.ts';

const SINK = path.resolve(import.meta.dirname, '../../infra/local/smtp-sink.ts');

/** `npm run smtp-sink` as a user runs it: its own process, on a free port; killed if a test fails. */
async function startSink(): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, [SINK, '--port', '0'], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const listening = /SMTP sink listening on 127\.0\.0\.1:(\d+)/;
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`the sink exited:\n${output}`);
    return listening.test(output);
  }, `the sink to listen:\n${output}`);
  return { child, port: Number(listening.exec(output)?.[1]), output: () => output };
}

describe('npm run smtp-sink', () => {
  it('prints each message readably and exits 0 on SIGTERM', async () => {
    const sink = await startSink();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false });
    onTestFinished(() => transport.close());

    await transport.sendMail({
      from: { name: 'Zoë’s Shop', address: 'news@shop.example.com' },
      to: 'ada@example.org',
      subject: '🎉 Grüße — flash sale',
      text: 'Grüße, Ada — 20 % off today ✓\nSecond line',
      html: '<p>Grüße, <b>Ada</b> — 20 % off today ✓</p>',
      headers: {
        'List-Unsubscribe': '<https://herald.example.com/u/tok>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    await waitFor(() => sink.output().includes('Second line'), 'the message to be printed');

    const printed = sink.output();
    expect(printed).toContain('From:        "Zoë’s Shop" <news@shop.example.com>');
    expect(printed).toContain('To:          ada@example.org');
    expect(printed).toContain('Envelope:    news@shop.example.com → ada@example.org');
    expect(printed).toContain('Subject:     🎉 Grüße — flash sale');
    expect(printed).toContain('List-Unsubscribe: <https://herald.example.com/u/tok>');
    expect(printed).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(printed).toContain(
      `HTML part:   ${Buffer.byteLength('<p>Grüße, <b>Ada</b> — 20 % off today ✓</p>')} bytes`,
    );
    expect(printed).toContain('Text part:\n  Grüße, Ada — 20 % off today ✓\n  Second line\n');

    // A transactional message has no unsubscribe headers, and a text-only one no HTML part.
    await transport.sendMail({
      from: 'news@shop.example.com',
      to: 'bob@example.org',
      subject: 'Reset',
      text: 'Code: 1234',
    });
    await waitFor(() => sink.output().includes('Code: 1234'), 'the second message to be printed');
    const second = sink.output().slice(sink.output().indexOf('message 2'));
    expect(second).toContain('Subject:     Reset');
    expect(second).not.toContain('List-Unsubscribe');
    expect(second).not.toContain('HTML part');

    const exited = once(sink.child, 'exit');
    sink.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(sink.output()).toContain('stopping (2 messages received)');
  });

  it('stops on SIGINT while a client holds a connection open, and refuses a bad --port', async () => {
    const sink = await startSink();
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 1,
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
    });
    onTestFinished(() => transport.close());
    await transport.sendMail({ from: 'a@example.com', to: 'b@example.org', subject: 'Hi', text: 'x' });
    await waitFor(() => sink.output().includes('message 1'), 'the message to be printed');
    const exited = once(sink.child, 'exit');
    sink.child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);

    const bad = spawn(process.execPath, [SINK, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => {
      if (bad.exitCode === null && bad.signalCode === null) bad.kill('SIGKILL');
    });
    let errors = '';
    bad.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const [badCode] = await once(bad, 'exit');
    expect(badCode).toBe(2);
    expect(errors).toContain('--port');
  });

  it('exits 1, saying so, when its port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const address = taken.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const child = spawn(process.execPath, [SINK, '--port', String(address.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(errors).toContain(`cannot listen on 127.0.0.1:${address.port}`);
  });
});
