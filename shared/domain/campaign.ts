import type {
  CampaignContent,
  CampaignDefinition,
  CampaignStatus,
  Channel,
  CreateCampaignInput,
  PatchCampaignInput,
} from '../schemas/campaign.ts';
import { jsonBytes, MAX_CONTENT_BYTES } from '../schemas/limits.ts';
import { CampaignStateError, type FieldIssue, ValidationError } from './errors.ts';
import type { Page } from './page.ts';
import { smsSegments } from './sms.ts';
import { compileTemplate, TemplateSyntaxError } from './template.ts';

/** A stored campaign: the active definition plus lifecycle facts and an optional pending draft. */
export interface CampaignRecord extends CampaignDefinition {
  readonly id: string;
  readonly sandbox: string;
  readonly status: CampaignStatus;
  /** Activated version; 0 until the first activation. */
  readonly version: number;
  /** Optimistic-concurrency counter, bumped by every write. */
  readonly revision: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly modifiedAt: string;
  readonly modifiedBy: string;
  readonly activatedAt?: string;
  readonly stoppedAt?: string;
  readonly completedAt?: string;
  readonly archivedAt?: string;
  readonly duplicatedFrom?: string;
  readonly draft?: CampaignDefinition;
}

const CONTENT_RULES: Record<
  Channel,
  { required: (keyof CampaignContent)[][]; allowed: (keyof CampaignContent)[] }
> = {
  email: { required: [['subject'], ['html', 'text']], allowed: ['subject', 'html', 'text'] },
  sms: { required: [['body']], allowed: ['body'] },
  push: { required: [['title'], ['body']], allowed: ['title', 'body', 'data'] },
};

export function definitionFromCreate(input: CreateCampaignInput): CampaignDefinition {
  return {
    ...input,
    createNewProfiles: input.createNewProfiles ?? false,
    enableWebhooks: input.enableWebhooks ?? false,
    highThroughput: input.highThroughput ?? false,
  };
}

/** Applies a PATCH: absent members stay, `null` clears an optional member. */
export function applyPatch(definition: CampaignDefinition, patch: PatchCampaignInput): CampaignDefinition {
  const next: Record<string, unknown> = { ...definition };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next as unknown as CampaignDefinition;
}

/** Each template of the content, named by its field path. */
export function contentTemplates(content: CampaignContent): [string, string][] {
  const templates: [string, string][] = [];
  for (const key of ['subject', 'html', 'text', 'title', 'body'] as const) {
    const value = content[key];
    if (value !== undefined) templates.push([`content.${key}`, value]);
  }
  for (const [key, value] of Object.entries(content.data ?? {}))
    templates.push([`content.data.${key}`, value]);
  return templates;
}

export interface DefinitionContext {
  /** True when the namespace is standard or registered in the campaign's sandbox. */
  readonly namespaceExists: boolean;
  /** True when the definition names no audience, or one of the campaign's sandbox. */
  readonly audienceExists: boolean;
  /**
   * The configuration the definition names, if it is one of the sandbox's: its channel, and for
   * push the apps it has platform applications for.
   */
  readonly channelConfiguration?:
    | { readonly channel: string; readonly appIds?: readonly string[] | undefined }
    | undefined;
}

/**
 * The rules every saved definition must keep (PRODUCT.md, campaign model). Returns every broken
 * rule, so a client can fix them all at once.
 */
export function definitionIssues(definition: CampaignDefinition, context: DefinitionContext): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { category } = definition;
  const contentBytes = jsonBytes(definition.content);
  if (contentBytes > MAX_CONTENT_BYTES) {
    issues.push({
      path: 'content',
      message: `must be at most ${MAX_CONTENT_BYTES} bytes as UTF-8 JSON (is ${contentBytes})`,
    });
  }
  if (definition.audience && !context.audienceExists) {
    issues.push({ path: 'audience.id', message: 'is not an audience of this sandbox' });
  }
  if (definition.channelConfigurationId !== undefined) {
    if (!context.channelConfiguration) {
      issues.push({
        path: 'channelConfigurationId',
        message: 'is not a channel configuration of this sandbox',
      });
    } else if (context.channelConfiguration.channel !== definition.channel) {
      issues.push({
        path: 'channelConfigurationId',
        message: `is a configuration of the ${context.channelConfiguration.channel} channel; the campaign sends ${definition.channel}`,
      });
    }
  }
  if (definition.unsubscribeLink !== undefined) {
    if (definition.channel !== 'email') {
      issues.push({ path: 'unsubscribeLink', message: 'is only allowed on email campaigns' });
    } else if (category === 'marketing' && !definition.unsubscribeLink) {
      issues.push({
        path: 'unsubscribeLink',
        message: 'cannot be false: marketing email always carries its unsubscribe link (RFC 8058)',
      });
    } else if (definition.highThroughput && definition.unsubscribeLink) {
      issues.push({
        path: 'unsubscribeLink',
        message: 'is not allowed on high-throughput campaigns (they read no profile to unsubscribe)',
      });
    }
  }
  issues.push(...channelOptionIssues(definition, context));
  if (!context.namespaceExists) {
    issues.push({
      path: 'identityNamespace',
      message: `'${definition.identityNamespace}' is neither a standard namespace nor registered in this sandbox`,
    });
  }
  if (category === 'marketing') {
    if (definition.createNewProfiles) {
      issues.push({ path: 'createNewProfiles', message: 'is only allowed on transactional campaigns' });
    }
    if (definition.highThroughput) {
      issues.push({ path: 'highThroughput', message: 'is only allowed on transactional campaigns' });
    }
  } else {
    if (definition.audience)
      issues.push({ path: 'audience', message: 'is only allowed on marketing campaigns' });
    if (definition.throttleRatePerSec !== undefined) {
      issues.push({ path: 'throttleRatePerSec', message: 'is only allowed on marketing campaigns' });
    }
  }
  if (category === 'transactional' && definition.highThroughput && definition.createNewProfiles) {
    issues.push({
      path: 'createNewProfiles',
      message: 'cannot be combined with highThroughput (no profile lookup)',
    });
  }
  const rules = CONTENT_RULES[definition.channel];
  for (const key of Object.keys(definition.content) as (keyof CampaignContent)[]) {
    if (!rules.allowed.includes(key)) {
      issues.push({ path: `content.${key}`, message: `is not used by the ${definition.channel} channel` });
    }
  }
  for (const alternatives of rules.required) {
    if (!alternatives.some((key) => definition.content[key] !== undefined)) {
      issues.push({
        path: `content.${alternatives.join('|')}`,
        message: `the ${definition.channel} channel needs ${alternatives.join(' or ')}`,
      });
    }
  }
  for (const [path, source] of contentTemplates(definition.content)) {
    try {
      const compiled = compileTemplate(source);
      if (definition.highThroughput) {
        const profileVariable = compiled.variables.find((v) => v.startsWith('profile.'));
        if (profileVariable) {
          issues.push({
            path,
            message: `high-throughput campaigns may only use context variables, not '${profileVariable}'`,
          });
        }
      }
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      issues.push({ path, message: error.message });
    }
  }
  const { startDate, endDate } = definition.schedule ?? {};
  if (startDate && endDate && Date.parse(startDate) >= Date.parse(endDate)) {
    issues.push({ path: 'schedule.endDate', message: 'must be after schedule.startDate' });
  }
  return issues;
}

/** The push app and SMS part limit: each only on its channel; a push campaign names an app its configuration has. */
function channelOptionIssues(definition: CampaignDefinition, context: DefinitionContext): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (definition.channel === 'push') {
    const appIds = context.channelConfiguration?.appIds;
    if (definition.appId === undefined)
      issues.push({
        path: 'appId',
        message: 'is required on push campaigns: the app whose devices get them',
      });
    else if (appIds !== undefined && !appIds.includes(definition.appId))
      issues.push({
        path: 'appId',
        message: `is not an app of the campaign's channel configuration (it has ${appIds.join(', ')})`,
      });
  } else if (definition.appId !== undefined) {
    issues.push({ path: 'appId', message: 'is only allowed on push campaigns' });
  }
  if (definition.smsMaxParts !== undefined && definition.channel !== 'sms')
    issues.push({ path: 'smsMaxParts', message: 'is only allowed on SMS campaigns' });
  return issues;
}

/**
 * Activation refuses an SMS body whose fixed text alone (the template without its variables, what
 * every message carries whatever the data) needs more parts than the campaign's `smsMaxParts`:
 * every message would be excluded at send. A body that fits only with short values goes live;
 * each message that renders too long is excluded at send (`sms-too-many-parts`), so no message
 * costs more parts than the limit.
 */
export function smsPartsIssue(definition: CampaignDefinition): FieldIssue | undefined {
  const { smsMaxParts } = definition;
  const body = definition.content.body;
  if (definition.channel !== 'sms' || smsMaxParts === undefined || body === undefined) return undefined;
  let fixed: string;
  try {
    fixed = compileTemplate(body)
      .parts.map((part) => (part.kind === 'text' ? part.text : ''))
      .join('');
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return undefined; // reported as a syntax error
    throw error;
  }
  const segments = smsSegments(fixed);
  if (segments.parts <= smsMaxParts) return undefined;
  return {
    path: 'content.body',
    message: `needs ${segments.parts} SMS parts (${segments.encoding === 'GSM' ? 'GSM-7' : 'UCS-2'}) without its variables; the campaign's smsMaxParts is ${smsMaxParts}`,
  };
}

/** The rules, for a definition a request body sent: each issue names its field under `body.`. */
export function assertValidDefinition(definition: CampaignDefinition, context: DefinitionContext): void {
  const issues = definitionIssues(definition, context);
  if (issues.length > 0)
    throw new ValidationError(issues.map((issue) => ({ ...issue, path: `body.${issue.path}` })));
}

/** Edits go to the campaign itself while it is a draft, to its draft version while scheduled or live. */
export function editTarget(record: CampaignRecord): 'campaign' | 'draft' {
  if (record.status === 'draft') return 'campaign';
  if (record.status === 'scheduled' || record.status === 'live') return 'draft';
  throw new CampaignStateError(`A ${record.status} campaign cannot be edited; duplicate it instead.`, {
    campaignStatus: record.status,
  });
}

/**
 * Activation: checks the definition that will go live (the draft version, for a live campaign) for
 * everything sending needs, then makes it scheduled or live according to its start date.
 */
export function activate(
  record: CampaignRecord,
  context: DefinitionContext,
  now: Date,
  by: string,
): CampaignRecord {
  if (record.status === 'stopped') {
    throw new CampaignStateError('A stopped campaign cannot be reactivated; duplicate it instead.', {
      campaignStatus: record.status,
    });
  }
  if (record.status !== 'draft' && record.status !== 'scheduled' && record.status !== 'live') {
    throw new CampaignStateError(`A ${record.status} campaign cannot be activated.`, {
      campaignStatus: record.status,
    });
  }
  if (record.status !== 'draft' && !record.draft) {
    throw new CampaignStateError(
      `The campaign is already ${record.status} and has no pending edits to activate.`,
      {
        campaignStatus: record.status,
      },
    );
  }
  const definition: CampaignDefinition = record.draft ?? record;
  const issues = definitionIssues(definition, context);
  if (definition.category === 'marketing' && !definition.audience) {
    issues.push({ path: 'audience', message: 'a marketing campaign needs an audience before activation' });
  }
  const tooLong = smsPartsIssue(definition);
  if (tooLong) issues.push(tooLong);
  const { startDate, endDate } = definition.schedule ?? {};
  if (endDate && Date.parse(endDate) <= now.getTime()) {
    issues.push({ path: 'schedule.endDate', message: 'is already past' });
  }
  if (issues.length > 0)
    throw new ValidationError(issues, 'The campaign cannot be activated: fix the listed fields.');
  const startsLater = startDate !== undefined && Date.parse(startDate) > now.getTime();
  const at = now.toISOString();
  return {
    ...lifecycleOf(record),
    ...pickDefinition(definition),
    status: startsLater ? 'scheduled' : 'live',
    version: record.version + 1,
    activatedAt: at,
    modifiedAt: at,
    modifiedBy: by,
  };
}

export function stop(record: CampaignRecord, now: Date, by: string): CampaignRecord {
  if (record.status !== 'live' && record.status !== 'scheduled') {
    throw new CampaignStateError(
      `Only a live or scheduled campaign can be stopped; this one is ${record.status}.`,
      {
        campaignStatus: record.status,
      },
    );
  }
  const at = now.toISOString();
  const { draft: _dropped, ...rest } = record;
  return { ...rest, status: 'stopped', stoppedAt: at, modifiedAt: at, modifiedBy: by };
}

export function archive(record: CampaignRecord, now: Date, by: string): CampaignRecord {
  if (record.status !== 'stopped' && record.status !== 'completed') {
    throw new CampaignStateError(
      `Only a stopped or completed campaign can be archived; this one is ${record.status}. Stop it first.`,
      { campaignStatus: record.status },
    );
  }
  const at = now.toISOString();
  return { ...record, status: 'archived', archivedAt: at, modifiedAt: at, modifiedBy: by };
}

export function assertDeletable(record: CampaignRecord): void {
  if (record.status !== 'draft') {
    throw new CampaignStateError(`Only draft campaigns can be deleted; this one is ${record.status}.`, {
      campaignStatus: record.status,
    });
  }
}

/** A copy as a new draft: the pending edits when there are some, else the active definition. */
export function duplicate(
  record: CampaignRecord,
  ids: { id: string; now: Date; by: string },
): CampaignRecord {
  const definition = pickDefinition(record.draft ?? record);
  const at = ids.now.toISOString();
  return {
    ...definition,
    // Names are at most 256 characters; keep the suffix that tells the copy apart.
    name: `${definition.name.slice(0, 256 - ' (copy)'.length)} (copy)`,
    id: ids.id,
    sandbox: record.sandbox,
    status: 'draft',
    version: 0,
    revision: 0,
    createdAt: at,
    createdBy: ids.by,
    modifiedAt: at,
    modifiedBy: ids.by,
    duplicatedFrom: record.id,
  };
}

export type DueAction = 'start' | 'complete';

/** The next time-driven transition, for the scheduler's index. */
export function nextTransition(record: CampaignRecord): { action: DueAction; at: string } | undefined {
  const { startDate, endDate } = record.schedule ?? {};
  if (record.status === 'scheduled' && startDate) return { action: 'start', at: startDate };
  if (record.status === 'live' && endDate) return { action: 'complete', at: endDate };
  return undefined;
}

/** Applies every transition that is due at `now` (a missed start may be followed by a passed end). */
export function applyDueTransitions(record: CampaignRecord, now: Date): CampaignRecord {
  let current = record;
  const at = now.toISOString();
  for (;;) {
    const due = nextTransition(current);
    if (!due || Date.parse(due.at) > now.getTime()) return current;
    current =
      due.action === 'start'
        ? { ...current, status: 'live', modifiedAt: at, modifiedBy: 'scheduler' }
        : {
            ...current,
            status: 'completed',
            completedAt: at,
            modifiedAt: at,
            modifiedBy: 'scheduler',
          };
  }
}

/** A record's lifecycle members, without its definition or pending draft. */
function lifecycleOf(record: CampaignRecord): Omit<CampaignRecord, keyof CampaignDefinition | 'draft'> {
  const {
    draft: _draft,
    name: _name,
    description: _description,
    category: _category,
    channel: _channel,
    identityNamespace: _identityNamespace,
    audience: _audience,
    channelConfigurationId: _channelConfigurationId,
    createNewProfiles: _createNewProfiles,
    enableWebhooks: _enableWebhooks,
    highThroughput: _highThroughput,
    unsubscribeLink: _unsubscribeLink,
    appId: _appId,
    smsMaxParts: _smsMaxParts,
    content: _content,
    schedule: _schedule,
    throttleRatePerSec: _throttleRatePerSec,
    ...lifecycle
  } = record;
  return lifecycle;
}

/** The definition members of a record or draft, nothing else. */
export function pickDefinition(source: CampaignDefinition): CampaignDefinition {
  const definition: CampaignDefinition = {
    name: source.name,
    category: source.category,
    channel: source.channel,
    identityNamespace: source.identityNamespace,
    createNewProfiles: source.createNewProfiles,
    enableWebhooks: source.enableWebhooks,
    highThroughput: source.highThroughput,
    content: source.content,
  };
  if (source.description !== undefined) definition.description = source.description;
  if (source.audience !== undefined) definition.audience = source.audience;
  if (source.channelConfigurationId !== undefined)
    definition.channelConfigurationId = source.channelConfigurationId;
  if (source.schedule !== undefined) definition.schedule = source.schedule;
  if (source.throttleRatePerSec !== undefined) definition.throttleRatePerSec = source.throttleRatePerSec;
  if (source.unsubscribeLink !== undefined) definition.unsubscribeLink = source.unsubscribeLink;
  if (source.appId !== undefined) definition.appId = source.appId;
  if (source.smsMaxParts !== undefined) definition.smsMaxParts = source.smsMaxParts;
  return definition;
}

export interface CampaignStore {
  create(record: CampaignRecord): Promise<void>;
  get(sandbox: string, id: string): Promise<CampaignRecord | undefined>;
  /** Writes when the stored revision is still `record.revision - 1`; else ConcurrentUpdateError. */
  save(record: CampaignRecord): Promise<void>;
  /** Deletes when the stored revision is still `revision`; else ConcurrentUpdateError. */
  delete(sandbox: string, id: string, revision: number): Promise<void>;
  list(sandbox: string, page: { limit: number; cursor?: string }): Promise<Page<CampaignRecord>>;
  /** Campaigns whose next time-driven transition is at or before `now`. */
  listDue(now: Date, limit: number): Promise<{ sandbox: string; id: string }[]>;
}

export interface CampaignReader {
  get(sandbox: string, id: string): Promise<CampaignRecord | undefined>;
}
