import { parseConfig } from '../../shared/config.ts';
import { createHandler } from './provider-events.ts';

/** The Lambda entry: the configuration is parsed as the module loads, so a bad value fails the init. */
export const handler = createHandler(parseConfig(process.env));
