import type { HeraldConfig } from '../../shared/config.ts';
import { apiHandler } from '../../shared/http/api-handler.ts';
import { confirmPage, donePage } from '../../shared/http/unsubscribe-page.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { publicRoot } from '../../shared/roots/public.ts';
import { readUnsubscribeLink, unsubscribe } from '../../shared/use-cases/unsubscribe.ts';

/** RFC 8058: a mailbox provider's one-click POST carries exactly this form field. */
const isOneClick = (body: Record<string, string>) => body['List-Unsubscribe'] === 'One-Click';

/**
 * The public function's handler: the unsubscribe links (no API key; the token is the credential)
 * and the console's static files (no API key; the user pastes one into the page).
 */
export const createHandler = (config: HeraldConfig, clients?: Partial<Clients>) =>
  apiHandler({
    group: 'public',
    deps: publicRoot(config, clients),
    operations: {
      unsubscribePage: async (request, deps) =>
        confirmPage((await readUnsubscribeLink(deps, request.params.token)).channel),
      unsubscribe: async (request, deps) => {
        const body = (request.body ?? {}) as Record<string, string>;
        const done = await unsubscribe(
          deps,
          request.params.token,
          isOneClick(body) ? 'one-click' : 'unsubscribe-page',
        );
        return donePage(done.channel);
      },
      consolePage: async (_request, deps) => deps.console.page(),
      consoleAsset: async (request, deps) => deps.console.asset(request.params.file),
    },
  });
