import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HeraldError, PROBLEM_TYPE_PREFIX } from '../domain/errors.ts';

/**
 * The problem's `report`: Herald's members (`correlationId`, `requestId`, `campaignId`) and, for
 * clients written for the reference system, the same values again in `additionalContext`, where
 * AJO's error documents carry them.
 */
function reportOf(members: Readonly<Record<string, string>>) {
  return { ...members, additionalContext: { ...members } };
}

/** Builds the `application/problem+json` answer for an error; anything not a HeraldError is a bare 500. */
export function problemResponse(
  error: unknown,
  members: Readonly<Record<string, string>>,
): APIGatewayProxyStructuredResultV2 {
  const report = reportOf(members);
  if (error instanceof HeraldError) {
    const document = {
      type: error.type,
      title: error.title,
      status: error.status,
      ...(error.detail !== undefined ? { detail: error.detail } : {}),
      ...(error.fields.length > 0 ? { fields: error.fields } : {}),
      ...error.extensions,
      report,
    };
    return {
      statusCode: error.status,
      headers: { 'content-type': 'application/problem+json', ...error.headers },
      body: JSON.stringify(document),
    };
  }
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: `${PROBLEM_TYPE_PREFIX}internal`,
      title: 'Internal error',
      status: 500,
      detail: 'Herald could not complete the request; it has been logged. Retrying is safe.',
      report,
    }),
  };
}
