import * as z from './zod.ts';

/** `/u/{token}`: the token's shape only; whether it is ours is the use case's (one 404 for all). */
export const unsubscribeParamsSchema = z.strictObject({
  token: z
    .string()
    .check(
      z.maxLength(1024, 'is not an unsubscribe link'),
      z.regex(/^[A-Za-z0-9_.-]+$/, 'is not an unsubscribe link'),
    ),
});
