import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SMS_EVENT_TYPES } from '../../infra/constructs/sms-events.ts';
import { HeraldApiStack, HeraldDataStack } from '../../infra/stacks.ts';
import {
  END_USER_MESSAGING_ACTIONS,
  functionDefinitions,
  SNS_PUSH_ACTIONS,
  SNS_SMS_ACTIONS,
} from '../../shared/definitions/functions.ts';

/**
 * The SNS permissions for SMS and push (ADR 0020): only the dispatch function gets them, only when
 * the stack is told (`snsSms`, `pushApplicationArns`), and push only on the applications named
 * and their endpoints. The functions are not bundled: only their policies matter here.
 */
function synth(
  props: { snsSms?: boolean; pushApplicationArns?: string[]; endUserMessagingArns?: string[] },
  smsEvents = false,
) {
  const app = new App({
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', 'aws:cdk:bundling-stacks': [] },
  });
  const dataStack = new HeraldDataStack(app, 'sns-data', smsEvents ? { smsEvents: true } : {});
  const apiStack = new HeraldApiStack(app, 'sns-api', { data: dataStack.data, ...props });
  return { apiStack, dataStack, template: Template.fromStack(apiStack), data: Template.fromStack(dataStack) };
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Policy = { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } };

/** Every statement granting an `sns:` (or `sms-voice:`) action, with the roles its policy is attached to. */
function snsStatements(template: Template, prefix = 'sns:') {
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Policy>).flatMap(
    (policy) =>
      policy.Properties.PolicyDocument.Statement.filter((s) =>
        [s.Action].flat().some((a) => a.startsWith(prefix)),
      ).map((s) => ({ roles: policy.Properties.Roles, ...s })),
  );
}

const fcm = 'arn:aws:sns:eu-west-1:123456789012:app/GCM/shop-android';
const apns = 'arn:aws:sns:eu-west-1:123456789012:app/APNS/shop-ios';

describe('SNS sending permission (the API stack)', () => {
  it('is the dispatcher’s alone in the function table', () => {
    expect(functionDefinitions.filter((fn) => fn.snsSend).map((fn) => fn.name)).toEqual(['dispatch-worker']);
  });

  it('grants no SNS action at all unless the stack is told', () => {
    expect(snsStatements(synth({}).template)).toEqual([]);
  });

  it('grants sns:Publish for SMS and push actions on the named applications only, to the dispatcher only', () => {
    const { apiStack, template } = synth({ snsSms: true, pushApplicationArns: [fcm, apns] });
    const dispatch = apiStack.functions.find((fn) => fn.definition.name === 'dispatch-worker');
    const role = { Ref: apiStack.getLogicalId(dispatch?.function.role?.node.defaultChild as CfnElement) };
    expect(SNS_SMS_ACTIONS).toEqual(['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut']);
    expect(SNS_PUSH_ACTIONS).toEqual({
      application: ['sns:CreatePlatformEndpoint'],
      endpoint: ['sns:Publish'],
    });
    expect(snsStatements(template)).toEqual([
      {
        roles: [role],
        Effect: 'Allow',
        Action: ['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut'],
        Resource: '*',
      },
      { roles: [role], Effect: 'Allow', Action: 'sns:CreatePlatformEndpoint', Resource: [fcm, apns] },
      {
        roles: [role],
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: [
          'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/shop-android/*',
          'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/shop-ios/*',
        ],
      },
    ]);
  });

  it('grants push alone (no Publish on *) when only applications are named', () => {
    const statements = snsStatements(synth({ pushApplicationArns: [fcm] }).template);
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      ['sns:CreatePlatformEndpoint', fcm],
      ['sns:Publish', 'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/shop-android/*'],
    ]);
  });

  it('grants sms-voice:SendTextMessage on the End User Messaging resources named, to the dispatcher only', () => {
    const number = 'arn:aws:sms-voice:eu-west-1:123456789012:phone-number/phone-1234567890abcdef';
    const set = 'arn:aws:sms-voice:eu-west-1:123456789012:configuration-set/herald';
    expect(snsStatements(synth({}).template, 'sms-voice:')).toEqual([]);
    const { apiStack, template } = synth({ endUserMessagingArns: [number, set] });
    const dispatch = apiStack.functions.find((fn) => fn.definition.name === 'dispatch-worker');
    const role = { Ref: apiStack.getLogicalId(dispatch?.function.role?.node.defaultChild as CfnElement) };
    expect(END_USER_MESSAGING_ACTIONS).toEqual(['sms-voice:SendTextMessage']);
    expect(snsStatements(template, 'sms-voice:')).toEqual([
      { roles: [role], Effect: 'Allow', Action: 'sms-voice:SendTextMessage', Resource: [number, set] },
    ]);
    expect(() =>
      synth({ endUserMessagingArns: ['arn:aws:sms-voice:eu-west-1:123456789012:pool/*'] }),
    ).toThrow(/endUserMessagingArns must be End User Messaging ARNs/);
  });

  it('refuses an application ARN that is a pattern or not an application', () => {
    expect(() => synth({ pushApplicationArns: ['arn:aws:sns:eu-west-1:123456789012:app/GCM/*'] })).toThrow(
      /pushApplicationArns must be SNS platform application ARNs/,
    );
    expect(() => synth({ pushApplicationArns: ['arn:aws:sns:eu-west-1:123456789012:my-topic'] })).toThrow(
      /pushApplicationArns/,
    );
  });
});

describe('End User Messaging SMS events (the data stack, ADR 0028)', () => {
  const number = 'arn:aws:sms-voice:eu-west-1:123456789012:phone-number/phone-1234567890abcdef';

  it('are not there unless asked for', () => {
    const { data } = synth({});
    data.resourceCountIs('AWS::SMSVOICE::ConfigurationSet', 0);
    data.resourceCountIs('AWS::SNS::Topic', 1); // SES's
  });

  it('go from a configuration set through an SNS topic to the provider-events queue', () => {
    const { data, dataStack } = synth({ endUserMessagingArns: [number] }, true);
    const topicId = dataStack.getLogicalId(dataStack.data.smsEvents?.topic.node.defaultChild as CfnElement);
    data.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
      ConfigurationSetName: 'sns-data-sms-events',
      EventDestinations: [
        {
          EventDestinationName: 'herald-provider-events',
          Enabled: true,
          MatchingEventTypes: [...SMS_EVENT_TYPES],
          SnsDestination: { TopicArn: { Ref: topicId } },
        },
      ],
    });
    // Every event type Herald reads as a status, none it ignores.
    expect(SMS_EVENT_TYPES).toContain('TEXT_DELIVERED');
    expect(SMS_EVENT_TYPES).not.toContain('TEXT_PENDING');
    data.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: topicId },
      Protocol: 'sqs',
      RawMessageDelivery: false,
    });
    // Only End User Messaging of this account may publish to the topic.
    data.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'sms-voice.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('give the dispatcher the configuration set: its name to send with, SendTextMessage on it beside the numbers named', () => {
    const { apiStack, template } = synth({ endUserMessagingArns: [number] }, true);
    const dispatch = apiStack.functions.find((fn) => fn.definition.name === 'dispatch-worker');
    const role = { Ref: apiStack.getLogicalId(dispatch?.function.role?.node.defaultChild as CfnElement) };
    const statements = snsStatements(template, 'sms-voice:');
    expect(statements).toEqual([
      {
        roles: [role],
        Effect: 'Allow',
        Action: 'sms-voice:SendTextMessage',
        Resource: [number, expect.objectContaining({ 'Fn::Join': expect.any(Array) })],
      },
    ]);
    expect(JSON.stringify(statements[0]?.Resource)).toContain(':configuration-set/sns-data-sms-events');
    const functions = template.findResources('AWS::Lambda::Function') as Record<
      string,
      { Properties: { Environment?: { Variables?: Record<string, unknown> } } }
    >;
    const withSet = Object.entries(functions)
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.HERALD_SMS_CONFIGURATION_SET !== undefined)
      .map(([id]) => id);
    expect(withSet).toEqual([apiStack.getLogicalId(dispatch?.function.node.defaultChild as CfnElement)]);
  });
});
