import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../shared/config.ts';
import { addCorrelation, logger, withLogScope } from '../../shared/logger.ts';
import { createTelemetry } from '../../shared/telemetry.ts';

/** A function's logger as its composition root builds it, writing into `lines`. */
function telemetryFor(env: Record<string, string>) {
  const lines: string[] = [];
  const config = parseConfig({ TABLE_NAME: 't', ...env });
  return { lines, telemetry: createTelemetry(config, { logs: (line) => void lines.push(line) }) };
}

describe('the logger', () => {
  it('logs at HERALD_LOG_LEVEL from the parsed configuration (any case), INFO by default', () => {
    const quiet = telemetryFor({ HERALD_LOG_LEVEL: 'warn' });
    withLogScope(quiet.telemetry.logger, {}, () => {
      logger.info('not shown');
      logger.warn('shown');
    });
    expect(quiet.lines.map((line) => JSON.parse(line).message)).toEqual(['shown']);

    const usual = telemetryFor({});
    withLogScope(usual.telemetry.logger, {}, () => {
      logger.debug('not shown');
      logger.info('shown');
    });
    expect(usual.lines).toHaveLength(1);
    expect(() => parseConfig({ TABLE_NAME: 't', HERALD_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => parseConfig({ TABLE_NAME: 't', HERALD_LOG_FORMAT: 'xml' })).toThrow(/HERALD_LOG_FORMAT/);
  });

  it("puts the scope's ids on every line, and keeps scopes running side by side apart", async () => {
    const { lines, telemetry } = telemetryFor({});
    const work = (requestId: string, executionId: string) =>
      withLogScope(telemetry.logger, { requestId, sandbox: 'prod' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        addCorrelation({ executionId });
        await new Promise((resolve) => setTimeout(resolve, 5));
        logger.info('done', { step: 1 });
      });
    await Promise.all([work('r-1', 'e-1'), work('r-2', 'e-2')]);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          message: 'done',
          requestId: 'r-1',
          executionId: 'e-1',
          sandbox: 'prod',
          step: 1,
        }),
        expect.objectContaining({
          message: 'done',
          requestId: 'r-2',
          executionId: 'e-2',
          sandbox: 'prod',
          step: 1,
        }),
      ]),
    );
  });

  it('writes a readable line with HERALD_LOG_FORMAT=text: time, level, message, key=value, the stack after', () => {
    const { lines, telemetry } = telemetryFor({ HERALD_LOG_FORMAT: 'text' });
    withLogScope(telemetry.logger, { requestId: 'r-1' }, () => {
      logger.info('request', { method: 'POST', route: '/im/executions/unitary', status: 202, ms: 12 });
      logger.error('request failed', { error: new TypeError('boom') });
    });
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}request {2}method=POST route=\/im\/executions\/unitary status=202 ms=12 requestId=r-1$/,
    );
    expect(lines[1]).toMatch(
      / ERROR request failed {2}error="TypeError: boom" requestId=r-1\n {4}TypeError: boom\n/,
    );
  });
});
