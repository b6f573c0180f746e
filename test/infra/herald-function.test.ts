import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SOURCE_MAPS_CONTEXT } from '../../infra/constructs/bundling.ts';
import { HeraldFunction } from '../../infra/constructs/herald-function.ts';
import { HeraldDataStack } from '../../infra/stacks.ts';
import { functionDefinitions } from '../../shared/definitions/functions.ts';

/** The house function's start-up options: source maps are shipped, and loaded only when asked. */
function synth(context: Record<string, string> = {}) {
  const app = new App({ context });
  const { data } = new HeraldDataStack(app, 'fn-data');
  const stack = new Stack(app, 'fn');
  const definition = functionDefinitions.find((f) => f.kind === 'scheduler');
  if (!definition) throw new Error('the function table has no scheduler');
  new HeraldFunction(stack, 'scheduler', { definition, data });
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
