import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { HeraldApiStack, HeraldDataStack } from '../../infra/stacks.ts';

const outdir = mkdtempSync(path.join(os.tmpdir(), 'herald-cfn-lint-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

interface Finding {
  readonly Level: string;
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Filename: string;
}

describe('the synthesized templates', () => {
  it('pass cfn-lint with no errors (every optional resource and grant turned on)', () => {
    const app = new App({ outdir });
    const data = new HeraldDataStack(app, 'lint-data', { smsEvents: true });
    new HeraldApiStack(app, 'lint-api', {
      data: data.data,
      alarmEmail: 'ops@example.com',
      publicUrl: 'https://herald.example.com',
      sesIdentityArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com',
      snsSms: true,
      pushApplicationArns: ['arn:aws:sns:us-east-1:123456789012:app/GCM/herald-android'],
      endUserMessagingArns: ['arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef'],
    });
    const assembly = app.synth();
    const templates = assembly.stacks.map((stack) => path.join(outdir, stack.templateFile));
    // cfn-lint (Python) is on the CI image beside moto_server; .ci/run checks it is there.
    const run = spawnSync('cfn-lint', ['--format', 'json', ...templates], { encoding: 'utf8' });
    expect(run.error, 'cfn-lint must be installed (pip install cfn-lint)').toBeUndefined();
    // Its exit code is a bit set: 2 errors, 4 warnings, 8 informational; 1 is a crash.
    expect([0, 4], run.stderr).toContain(run.status);
    const findings = JSON.parse(run.stdout || '[]') as Finding[];
    const errors = findings.filter((f) => f.Level === 'Error');
    expect(errors.map((f) => `${f.Rule.Id} ${path.basename(f.Filename)}: ${f.Message}`)).toEqual([]);
    // Warnings are CDK's own (W3005: a DependsOn its GetAtt already implies); nothing else.
    expect(new Set(findings.map((f) => f.Rule.Id))).toEqual(new Set(findings.length > 0 ? ['W3005'] : []));
  }, 180_000);
});
