import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConsoleNotBuiltError, NotFoundError } from '../domain/errors.ts';
import type { StaticFile } from './static-file.ts';

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * The page may load only its own scripts and styles and call only this API: no CDN, no inline
 * script, no framing. The key it holds can leave only to Herald.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface ConsoleAssets {
  page(): Promise<StaticFile>;
  asset(file: string): Promise<StaticFile>;
}

/**
 * The built console (Vite's `console/dist`, or the copy bundled beside the Lambda's code), read
 * from `directory` once per file and kept in memory: the files are small and never change while a
 * container runs. `file` is a bare name (the route's schema refuses paths).
 */
export function consoleAssets(directory: string): ConsoleAssets {
  const cache = new Map<string, Promise<Buffer>>();
  const read = (relative: string) => {
    let pending = cache.get(relative);
    if (!pending) {
      pending = readFile(path.join(directory, relative));
      // A failed read is not kept: the next request tries again (e.g. a build finished since).
      pending.catch(() => cache.delete(relative));
      cache.set(relative, pending);
    }
    return pending;
  };
  return {
    async page() {
      const body = await read('index.html').catch(() => {
        throw new ConsoleNotBuiltError();
      });
      return {
        contentType: 'text/html; charset=utf-8',
        body,
        // Always revalidated: a new build changes the asset names the page points at.
        cacheControl: 'no-cache',
        headers: {
          'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
          'referrer-policy': 'no-referrer',
          'x-frame-options': 'DENY',
        },
      };
    },
    async asset(file) {
      const body = await read(path.join('assets', path.basename(file))).catch(() => {
        throw new NotFoundError('Console asset', file);
      });
      return {
        contentType: MEDIA_TYPES[path.extname(file)] ?? 'application/octet-stream',
        body,
        // Vite names each asset by its content's hash.
        cacheControl: 'public, max-age=31536000, immutable',
      };
    },
  };
}
