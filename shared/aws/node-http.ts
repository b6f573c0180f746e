import { createRequire } from 'node:module';

/**
 * `node:http` for the Lambda bundles (an esbuild alias in `infra/constructs/bundling.ts`): the same
 * module object, loaded with `require()`. Imported as an ES module, `node:http` is a namespace of
 * all its exports, and building it reads the lazy `WebSocket`, `CloseEvent` and `MessageEvent`
 * getters, which load Node's undici: ~30 ms of `import('node:http')` against ~9 ms of `require()`
 * on the bench machine, and ~23 ms of the feedback function's cold start (`docs/performance.md`).
 * Every export but those three and the accessors (`globalAgent`, `maxHeaderSize`: read them from
 * the default export, which is the live module) is re-exported by name, so a static named import
 * finds it; esbuild fails the build on one that is missing.
 */
const http: typeof import('node:http') = createRequire(import.meta.url)('node:http');
export default http;
export const {
  METHODS,
  STATUS_CODES,
  Agent,
  ClientRequest,
  IncomingMessage,
  OutgoingMessage,
  Server,
  ServerResponse,
  createServer,
  validateHeaderName,
  validateHeaderValue,
  get,
  request,
  setMaxIdleHTTPParsers,
} = http;
