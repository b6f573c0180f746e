import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SOURCE_MAPS_CONTEXT } from '../../infra/constructs/bundling.ts';
import { HeraldFunction } from '../../infra/constructs/herald-function.ts';

/** The house function's start-up options: source maps are shipped, and loaded only when asked. */
function synth(context: Record<string, string> = {}) {
  const stack = new Stack(new App({ context }), 'fn');
  new HeraldFunction(stack, 'scheduler', { entry: 'functions/scheduler.ts' });
  return Template.fromStack(stack);
}

describe('HeraldFunction', () => {
  it('does not load source maps at start by default (they cost init time)', () => {
    synth().hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: Match.absent() }) },
    });
  }, 60_000);

  it(`loads them with the ${SOURCE_MAPS_CONTEXT} context, and refuses a value that is not a boolean`, () => {
    synth({ [SOURCE_MAPS_CONTEXT]: 'true' }).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    expect(() => synth({ [SOURCE_MAPS_CONTEXT]: 'yes' })).toThrow(/must be true or false/);
  }, 60_000);
});
