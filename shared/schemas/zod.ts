/**
 * The one door to zod. Herald builds its schemas with zod/mini (functional checks, tree-shaken:
 * ~66 KB in a bundle instead of ~104 KB for classic zod, and none of its 64 locales — ADR 0032).
 * zod/mini carries no locale: without `en` every message would read "Invalid input".
 * `export *` (not a re-exported namespace object) keeps what a bundle does not use out of it.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
