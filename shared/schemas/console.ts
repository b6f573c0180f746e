import { SCOPES } from './admin.ts';
import * as z from './zod.ts';

/**
 * `/console/assets/{file}`: one file name of the built console (Vite's hashed names), never a
 * path: no `/`, no `..`, nothing a file system would read outside the assets folder.
 */
export const consoleAssetParamsSchema = z.strictObject({
  file: z
    .string()
    .check(
      z.maxLength(200, 'is not a console asset'),
      z.regex(/^[\w-]+(\.[\w-]+)+$/, 'is not a console asset'),
    ),
});

/** `GET /whoami`: what the calling key is, so a client (the console) can show what it may do. */
export const whoamiSchema = z
  .object({
    kind: z.enum(['root', 'sandbox']),
    keyId: z.string(),
    sandbox: z
      .optional(z.string())
      .check(z.meta({ description: "The key's sandbox (absent for the root key)." })),
    scopes: z
      .array(z.enum(SCOPES))
      .check(z.meta({ description: "The key's scopes; `admin` implies every other scope of its sandbox." })),
  })
  .register(z.globalRegistry, { id: 'Whoami' });
export type WhoamiView = z.infer<typeof whoamiSchema>;
