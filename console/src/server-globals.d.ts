/**
 * The console takes its types from the server's schemas (types.ts), whose modules also hold a few
 * Node functions; this is the one Node global they name, declared so the browser build typechecks
 * without Node's types (which would let browser code call Node APIs unnoticed).
 */
declare const Buffer: { byteLength(value: string, encoding: 'utf8'): number };
