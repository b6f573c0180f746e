import type { FieldIssue } from '../schemas/field-issue.ts';
import { MAX_REPORTED_ISSUES } from '../schemas/limits.ts';

export type { FieldIssue };

/**
 * Domain errors. Each carries a stable problem `type` slug and an HTTP status, so the single error
 * middleware can turn it into an RFC 9457 problem document without string matching.
 */

export interface ErrorOptions {
  readonly detail?: string;
  readonly fields?: readonly FieldIssue[];
  /** Extra members added to the problem document (e.g. `unknownUserIds`). */
  readonly extensions?: Record<string, unknown>;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers?: Record<string, string>;
}

export const PROBLEM_TYPE_PREFIX = 'urn:herald:problem:';

export class HeraldError extends Error {
  readonly slug: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly fields: readonly FieldIssue[];
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(slug: string, status: number, title: string, options: ErrorOptions = {}) {
    super(options.detail ?? title);
    this.name = new.target.name;
    this.slug = slug;
    this.status = status;
    this.title = title;
    this.detail = options.detail;
    this.fields = options.fields ?? [];
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  get type(): string {
    return `${PROBLEM_TYPE_PREFIX}${this.slug}`;
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * A request that breaks its schema or a rule. However many fields are wrong, the document lists at
 * most MAX_REPORTED_ISSUES of them (each path and message cut to a readable length) and says in
 * `issueCount` how many there were, so a body of 100,000 bad elements gets a small answer.
 */
export class ValidationError extends HeraldError {
  constructor(fields: readonly FieldIssue[], detail?: string, issueCount = fields.length) {
    const shown = fields
      .slice(0, MAX_REPORTED_ISSUES)
      .map((f) => ({ path: clip(f.path, 512), message: clip(f.message, 512) }));
    const count = Math.max(issueCount, fields.length);
    const summary = shown
      .slice(0, 10)
      .map((f) => `${f.path}: ${f.message}`)
      .join('; ');
    super('validation', 400, 'The request is not valid', {
      fields: shown,
      detail: detail ?? (count > 10 ? `${summary}; and ${count - 10} more` : summary),
      extensions: { issueCount: count },
    });
  }
}

export class MalformedJsonError extends HeraldError {
  constructor(detail: string) {
    super('malformed-json', 400, 'The body is not valid JSON', {
      detail,
      fields: [{ path: 'body', message: detail }],
    });
  }
}

export class UnsupportedMediaTypeError extends HeraldError {
  constructor(contentType: string | undefined) {
    super('unsupported-media-type', 415, 'The body must be application/json', {
      detail: `Content-Type ${contentType ? `'${contentType}'` : 'is missing'}; send 'application/json'.`,
      fields: [{ path: 'header.content-type', message: 'must be application/json' }],
    });
  }
}

export class PayloadTooLargeError extends HeraldError {
  constructor(limitBytes: number, actualBytes: number) {
    super('payload-too-large', 413, 'The body is too large', {
      detail: `The body has ${actualBytes} bytes; the limit is ${limitBytes}.`,
      fields: [{ path: 'body', message: `must be at most ${limitBytes} bytes` }],
    });
  }
}

export class UnauthorizedError extends HeraldError {
  constructor(detail: string) {
    super('unauthorized', 401, 'Authentication is required', {
      detail,
      headers: { 'www-authenticate': 'Bearer realm="herald"' },
    });
  }
}

export class ForbiddenError extends HeraldError {
  constructor(detail: string) {
    super('forbidden', 403, 'The API key may not do this', { detail });
  }
}

export class NotFoundError extends HeraldError {
  constructor(what: string, id: string) {
    super('not-found', 404, `${what} not found`, {
      detail: `No ${what.toLowerCase()} '${id}' in this sandbox.`,
    });
  }
}

export class RouteNotFoundError extends HeraldError {
  constructor(method: string, path: string) {
    super('route-not-found', 404, 'No such route', { detail: `${method} ${path} is not a Herald route.` });
  }
}

export class AlreadyExistsError extends HeraldError {
  constructor(what: string, id: string) {
    super('already-exists', 409, `${what} already exists`, { detail: `${what} '${id}' already exists.` });
  }
}

export class CampaignStateError extends HeraldError {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super('campaign-state', 409, 'The campaign is not in a state that allows this', { detail, extensions });
  }
}

export class ConcurrentUpdateError extends HeraldError {
  constructor(what: string) {
    super('concurrent-update', 409, 'Changed by another request', {
      detail: `${what} was changed by another request while this one ran; read it again and retry.`,
      headers: { 'retry-after': '1' },
    });
  }
}

export class IdentityConflictError extends HeraldError {
  constructor(profileIds: readonly string[], identities: readonly string[]) {
    super('identity-conflict', 409, 'The identities belong to different profiles', {
      detail: `The identities ${identities.join(', ')} belong to ${profileIds.length} different profiles; Herald never merges profiles silently.`,
      extensions: { profileIds },
    });
  }
}

export class RecipientCountError extends HeraldError {
  constructor(count: number, max: number) {
    super('recipient-count', 400, 'Wrong number of recipients', {
      detail: `A call names 1 to ${max} recipients; this one names ${count}.`,
      fields: [{ path: 'body.recipients', message: `must have 1 to ${max} members` }],
    });
  }
}

export class DuplicateRecipientsError extends HeraldError {
  constructor(userIds: readonly string[]) {
    super('duplicate-recipients', 400, 'A recipient is named twice', {
      detail: `Each userId may appear once per call; repeated: ${userIds.join(', ')}.`,
      extensions: { duplicateUserIds: userIds },
      fields: [{ path: 'body.recipients', message: 'userIds must be unique' }],
    });
  }
}

export class NamespaceMismatchError extends HeraldError {
  constructor(fields: readonly FieldIssue[], expected: string) {
    super('namespace-mismatch', 400, "A recipient is not in the campaign's namespace", {
      detail: `The campaign addresses people by '${expected}'; every recipient's namespace must be '${expected}'.`,
      fields,
    });
  }
}

export class InvalidUserIdError extends HeraldError {
  constructor(fields: readonly FieldIssue[]) {
    super('invalid-user-id', 400, 'A userId is not valid for its namespace', { fields });
  }
}

export class ReservedContextError extends HeraldError {
  constructor(fields: readonly FieldIssue[]) {
    super('reserved-context', 400, 'context.system is reserved', {
      detail: 'Herald reserves context.system; use another name.',
      fields,
    });
  }
}

export class ContextTooLargeError extends HeraldError {
  constructor(bytes: number, limit: number, path = 'body.recipients[].context') {
    super('context-too-large', 413, 'The personalization context is too large', {
      detail: `The call's context and profile values serialize to ${bytes} bytes; a call may carry at most ${limit}.`,
      fields: [{ path, message: `must total at most ${limit} bytes` }],
    });
  }
}

export class CampaignNotFoundError extends HeraldError {
  constructor(campaignId: string) {
    super('campaign-not-found', 404, 'Campaign not found', {
      detail: `No campaign '${campaignId}' in this sandbox.`,
      fields: [{ path: 'body.campaignId', message: 'is not a campaign of this sandbox' }],
    });
  }
}

/** Why a campaign cannot be triggered now; each reason has its own problem type. */
export type NotTriggerableReason =
  | 'not-transactional'
  | 'not-marketing'
  | 'high-throughput'
  | 'not-high-throughput'
  | 'not-live'
  | 'outside-schedule';

export class CampaignNotTriggerableError extends HeraldError {
  readonly reason: NotTriggerableReason;
  constructor(reason: NotTriggerableReason, detail: string, extensions: Record<string, unknown> = {}) {
    super(`campaign-${reason}`, 409, 'The campaign cannot be triggered by this call', { detail, extensions });
    this.reason = reason;
  }
}

export class UnknownRecipientsError extends HeraldError {
  constructor(userIds: readonly string[]) {
    super('unknown-recipients', 422, 'Some recipients have no profile', {
      detail: `No profile for ${userIds.join(', ')}; the campaign does not create profiles, so nothing was sent.`,
      extensions: { unknownUserIds: userIds },
    });
  }
}

export class RequestInProgressError extends HeraldError {
  constructor(key: string, retryAfterSeconds: number) {
    super('request-in-progress', 409, 'The same request is still being processed', {
      detail: `A request with idempotency key '${key}' is in progress; retry after ${retryAfterSeconds} s to get its answer.`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

export class IdempotencyKeyReusedError extends HeraldError {
  constructor(key: string) {
    super('idempotency-key-reused', 422, 'The idempotency key was used for a different request', {
      detail: `'${key}' was first used with another body within the last 24 hours; use a new requestId for a new request.`,
    });
  }
}

export class RenderedMessageNotFoundError extends HeraldError {
  constructor(messageId: string) {
    super('not-found', 404, 'Rendered message not found', {
      detail: `No rendered copy of message '${messageId}': it was not sent yet, was excluded, or its provider does not keep copies (only the sandbox provider does).`,
    });
  }
}

export class AudienceNotAllowedError extends HeraldError {
  constructor(audienceId: string) {
    super('audience-not-allowed', 400, "Not the campaign's audience", {
      detail: `Audience '${audienceId}' is not this campaign's audience; a campaign sends to its own audience.`,
      fields: [{ path: 'body.audience.id', message: "must be the campaign's audience" }],
    });
  }
}

export class ScheduleStateError extends HeraldError {
  constructor(status: string) {
    super('schedule-state', 409, 'The schedule can no longer be cancelled', {
      detail: `The schedule is ${status}; only a Scheduled one can be cancelled.`,
      extensions: { scheduleStatus: status },
    });
  }
}

/** More test sends than a sandbox may make in a minute (TEST_SENDS_PER_MINUTE). */
export class TestSendLimitError extends HeraldError {
  constructor(limit: number, retryAfterSeconds: number) {
    super('test-send-limit', 429, 'Too many test sends', {
      detail: `A sandbox may send ${limit} test messages a minute; retry after ${retryAfterSeconds} s.`,
      headers: { 'retry-after': String(retryAfterSeconds) },
      extensions: { limit },
    });
  }
}

/**
 * A value that would not fit where Herald must copy it (a DynamoDB item, a queue message): refused
 * before anything is written.
 */
export class TooLargeError extends HeraldError {
  constructor(path: string, what: string, bytes: number, limit: number) {
    super('too-large', 413, 'Too large to store or queue', {
      detail: `${what} would be ${bytes} bytes; at most ${limit} fit.`,
      fields: [{ path, message: `must make at most ${limit} bytes (is ${bytes})` }],
    });
  }
}

export class MethodNotAllowedError extends HeraldError {
  constructor(method: string, path: string, allow: readonly string[]) {
    super('method-not-allowed', 405, 'Method not allowed', {
      detail: `${path} answers ${allow.join(', ')}, not ${method}.`,
      headers: { allow: allow.join(', ') },
    });
  }
}

/** The local gateway's answers of its own, where API Gateway answers before any function runs. */
export class BadRequestError extends HeraldError {
  /** `field` names the part that cannot be read: `path`, `header`, `request-line`. */
  constructor(detail: string, field: FieldIssue) {
    super('bad-request', 400, 'The request cannot be read', { detail, fields: [field] });
  }
}

export class HeadersTooLargeError extends HeraldError {
  constructor() {
    super('headers-too-large', 431, 'The request headers are too large', {
      detail: 'The request line and headers together exceed the limit; send fewer or shorter headers.',
    });
  }
}

export class RequestTimeoutError extends HeraldError {
  constructor() {
    super('request-timeout', 408, 'The request took too long to arrive', {
      detail: 'The client did not send the whole request in time; send it again.',
    });
  }
}

export class ServiceUnavailableError extends HeraldError {
  constructor(detail: string) {
    super('service-unavailable', 503, 'Service unavailable', { detail });
  }
}

export class InvalidChannelDataError extends HeraldError {
  constructor(fields: readonly FieldIssue[]) {
    super('invalid-channel-data', 400, "A recipient's channelData cannot be used", {
      detail: fields.map((f) => `${f.path}: ${f.message}`).join('; '),
      fields,
    });
  }
}

/** A channel configuration asked to be its channel's default while another one is. */
export class DefaultTakenError extends HeraldError {
  constructor(channel: string) {
    super('default-taken', 409, 'The channel has a default configuration already', {
      detail: `The sandbox's ${channel} channel has a default configuration already; make that one not the default first.`,
      fields: [{ path: 'body.default', message: `another ${channel} configuration is the default` }],
    });
  }
}

/** A channel configuration that campaigns still name cannot be deleted: their messages would fail. */
export class ConfigurationInUseError extends HeraldError {
  constructor(campaignIds: readonly string[]) {
    super('configuration-in-use', 409, 'Campaigns still send through this configuration', {
      detail: `Campaigns ${campaignIds.join(', ')} name this channel configuration (as it is or in a pending draft); point them at another, or archive or delete them, first.`,
      extensions: { campaignIds },
    });
  }
}

/** An unsubscribe link that is forged, altered, expired, of an unknown key or of a deleted profile. */
export class UnsubscribeLinkNotFoundError extends HeraldError {
  constructor() {
    super('not-found', 404, 'Unsubscribe link not found', {
      detail: 'This unsubscribe link is not valid (or its profile no longer exists). Nothing was changed.',
    });
  }
}

/** The console's files are not where this Herald serves them from (no build yet). */
export class ConsoleNotBuiltError extends HeraldError {
  constructor() {
    super('console-not-built', 503, 'The console is not built', {
      detail:
        '`npm run build:console` writes console/dist (npm start and npm test run it; CDK bundling copies it).',
    });
  }
}
