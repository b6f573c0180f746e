import { describe, expect, it } from 'vitest';
import { type CampaignRecord, definitionFromCreate } from '../../shared/domain/campaign.ts';
import { HeraldError } from '../../shared/domain/errors.ts';
import { checkUnitaryRecipients, phoneValues } from '../../shared/domain/recipients.ts';
import type { CreateCampaignInput } from '../../shared/schemas/campaign.ts';
import { type UnitaryExecutionInput, unitaryExecutionSchema } from '../../shared/schemas/execution.ts';

const at = '2030-01-01T12:00:00Z';
const campaign = (overrides: Partial<CreateCampaignInput> = {}): CampaignRecord => ({
  ...definitionFromCreate({
    name: 'c',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    content: { subject: 's', text: 't' },
    ...overrides,
  }),
  id: 'c1',
  sandbox: 'sb',
  status: 'live',
  version: 1,
  revision: 1,
  createdAt: at,
  createdBy: 'k',
  modifiedAt: at,
  modifiedBy: 'k',
});
const sms = campaign({ channel: 'sms', identityNamespace: 'phone', content: { body: 'hi' } });
const push = campaign({ channel: 'push', identityNamespace: 'ecid', content: { title: 't', body: 'b' } });

const call = (recipients: unknown[]): UnitaryExecutionInput =>
  unitaryExecutionSchema.parse({
    requestId: 'r',
    campaignId: '01a20708-a928-7d86-8254-5a5c8f38d212',
    recipients,
  });

/** The problem a call is refused with: its type slug and the field paths it names. */
function refusal(run: () => unknown): { slug: string; paths: string[] } {
  try {
    run();
  } catch (error) {
    if (error instanceof HeraldError) return { slug: error.slug, paths: error.fields.map((f) => f.path) };
    throw error;
  }
  throw new Error('the call was accepted');
}

describe('recipient rules: phone numbers', () => {
  const recipient = { type: 'aep', namespace: 'phone', userId: '1234567890' };

  it("read national userIds and channelData numbers in the sandbox's country", () => {
    const input = call([{ ...recipient, channelData: { mobilePhoneNumber: '111-111-1111' } }]);
    const [resolved] = checkUnitaryRecipients(input, sms, { defaultCountry: 'US' });
    expect(resolved).toMatchObject({
      userId: '+11234567890',
      rawUserId: '1234567890',
      channelData: { mobilePhoneNumber: '+11111111111' },
    });
  });

  it('refuse national numbers without a country: the userId as invalid, channelData by its path', () => {
    expect(refusal(() => checkUnitaryRecipients(call([recipient]), sms))).toEqual({
      slug: 'invalid-user-id',
      paths: ['body.recipients[0].userId'],
    });
    const input = call([
      { ...recipient, userId: '+14155550100' },
      { ...recipient, userId: '+14155550101', channelData: { mobilePhoneNumber: '0921234567' } },
    ]);
    expect(refusal(() => checkUnitaryRecipients(input, sms))).toEqual({
      slug: 'invalid-channel-data',
      paths: ['body.recipients[1].channelData.mobilePhoneNumber'],
    });
    expect(checkUnitaryRecipients(input, sms, { defaultCountry: 'TW' })[1]?.channelData).toEqual({
      mobilePhoneNumber: '+886921234567',
    });
  });

  it('refuse a channelData number that is no number, whatever the channel and country', () => {
    const input = call([
      {
        type: 'aep',
        namespace: 'email',
        userId: 'a@example.com',
        channelData: { mobilePhoneNumber: 'call me' },
      },
    ]);
    expect(refusal(() => checkUnitaryRecipients(input, campaign(), { defaultCountry: 'US' })).slug).toBe(
      'invalid-channel-data',
    );
  });

  it('know which values of a call are phone numbers (to read the country only when needed)', () => {
    const input = call([
      { ...recipient, channelData: { mobilePhoneNumber: '+14155550100' } },
      { type: 'aep', namespace: 'email', userId: 'a@example.com' },
    ]);
    expect(phoneValues(input)).toEqual(['1234567890', '+14155550100']);
  });
});

describe('recipient rules: AJO fields', () => {
  it('accept and ignore mergePolicyName and mergePolicySchema on aep recipients', () => {
    const input = call([
      {
        type: 'aep',
        namespace: 'email',
        userId: 'a@example.com',
        mergePolicyName: 'DefaultTimeBased',
        mergePolicySchema: '_xdm.context.profile',
      },
    ]);
    expect(checkUnitaryRecipients(input, campaign())[0]?.userId).toBe('a@example.com');
  });

  it('still refuse fields nobody documents, and merge policies on external recipients', () => {
    const parse = (recipient: Record<string, unknown>) =>
      unitaryExecutionSchema.safeParse({ requestId: 'r', campaignId: 'x', recipients: [recipient] }).success;
    expect(parse({ type: 'aep', namespace: 'email', userId: 'a@example.com', mergePolicy: 'x' })).toBe(false);
    expect(
      parse({
        type: 'external',
        namespace: 'email',
        userId: 'a@example.com',
        mergePolicyName: 'DefaultTimeBased',
      }),
    ).toBe(false);
    expect(parse({ type: 'other', namespace: 'email', userId: 'a@example.com' })).toBe(false);
  });
});

describe('recipient rules: external recipients', () => {
  it('take their address from channelData', () => {
    const input = call([
      {
        type: 'external',
        namespace: 'email',
        userId: 'a@example.com',
        channelData: { emailAddress: 'b@example.com' },
      },
    ]);
    expect(checkUnitaryRecipients(input, campaign())[0]?.channelData).toEqual({
      emailAddress: 'b@example.com',
    });
  });

  it("or from the userId when it is in the channel's namespace", () => {
    const email = checkUnitaryRecipients(
      call([{ type: 'external', namespace: 'email', userId: 'A@Example.com' }]),
      campaign(),
    );
    expect(email[0]?.channelData).toEqual({ emailAddress: 'a@example.com' });
    const phone = checkUnitaryRecipients(
      call([{ type: 'external', namespace: 'phone', userId: '(415) 555-0100' }]),
      sms,
      {
        defaultCountry: 'US',
      },
    );
    expect(phone[0]?.channelData).toEqual({ mobilePhoneNumber: '+14155550100' });
  });

  it('are refused without an address, naming the channelData field the channel needs', () => {
    const crm = campaign({ identityNamespace: 'crmId' });
    expect(
      refusal(() =>
        checkUnitaryRecipients(call([{ type: 'external', namespace: 'crmId', userId: 'c-1' }]), crm),
      ),
    ).toEqual({
      slug: 'invalid-channel-data',
      paths: ['body.recipients[0].channelData.emailAddress'],
    });
    const ecid = '12345678901234567890123456789012345678';
    expect(
      refusal(() =>
        checkUnitaryRecipients(call([{ type: 'external', namespace: 'ecid', userId: ecid }]), push),
      ),
    ).toEqual({
      slug: 'invalid-channel-data',
      paths: ['body.recipients[0].channelData.pushInfo'],
    });
    const withToken = call([
      { type: 'external', namespace: 'ecid', userId: ecid, channelData: { pushInfo: { token: 't' } } },
    ]);
    expect(checkUnitaryRecipients(withToken, push)).toHaveLength(1);
  });

  it("follow the call's other rules: the campaign's namespace, one userId once", () => {
    expect(
      refusal(() =>
        checkUnitaryRecipients(
          call([{ type: 'external', namespace: 'phone', userId: '+14155550100' }]),
          campaign(),
        ),
      ).slug,
    ).toBe('namespace-mismatch');
    const twice = call([
      { type: 'aep', namespace: 'email', userId: 'a@example.com' },
      { type: 'external', namespace: 'email', userId: 'A@example.com' },
    ]);
    expect(refusal(() => checkUnitaryRecipients(twice, campaign())).slug).toBe('duplicate-recipients');
  });
});
