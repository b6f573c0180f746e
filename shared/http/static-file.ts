import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** What an operation of a `produces: 'static'` route returns: a file and how it may be cached. */
export interface StaticFile {
  readonly contentType: string;
  readonly body: Buffer;
  readonly cacheControl: string;
  /** Extra headers (the console page's Content-Security-Policy). */
  readonly headers?: Readonly<Record<string, string>>;
}

const TEXTUAL = /^(text\/|application\/(javascript|json|manifest\+json)|image\/svg\+xml)/;

/** The structured result API Gateway expects for a static file: text as is, anything else base64. */
export function staticFileResponse(status: number, file: StaticFile): APIGatewayProxyStructuredResultV2 {
  const textual = TEXTUAL.test(file.contentType);
  return {
    statusCode: status,
    headers: {
      'content-type': file.contentType,
      'cache-control': file.cacheControl,
      'x-content-type-options': 'nosniff',
      ...file.headers,
    },
    body: textual ? file.body.toString('utf8') : file.body.toString('base64'),
    isBase64Encoded: !textual,
  };
}
