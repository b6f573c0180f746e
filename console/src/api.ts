import { session } from './session.ts';

/** A field message of a problem document, its path as the API names it (`body.name`, `path.id`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** An RFC 9457 problem document from the API, as the console shows it. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly fields: readonly FieldIssue[];

  constructor(status: number, document: { title?: string; detail?: string; fields?: FieldIssue[] }) {
    super(document.title ?? `HTTP ${status}`);
    this.status = status;
    this.title = document.title ?? `HTTP ${status}`;
    this.detail = document.detail;
    this.fields = document.fields ?? [];
  }

  /**
   * The message for a form field: `name` matches `body.name` (a save), `name` (an activation,
   * which names the stored definition's fields) and `query.name` / `path.name`.
   */
  fieldMessage(name: string): string | undefined {
    return this.fields.find((f) => f.path.replace(/^(body|query|path)\./, '') === name)?.message;
  }
}

/** One call to the API with the session's key as the bearer token; a problem answer throws. */
export async function call<T>(method: string, path: string, body?: unknown, key = session.key()): Promise<T> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    // The key travels in the header only: no cookie is sent or kept.
    credentials: 'omit',
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok)
    throw new ApiProblem(response.status, (parsed ?? {}) as ConstructorParameters<typeof ApiProblem>[1]);
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  delete: (path: string) => call<undefined>('DELETE', path),
};
