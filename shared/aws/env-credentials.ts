import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

type Credentials = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/** The options the SDK passes to a credential provider call. */
export interface CredentialProviderCallOptions {
  readonly forceRefresh?: boolean;
  readonly [property: string]: unknown;
}

/** The same names as `@aws-sdk/credential-provider-node`'s, so the alias satisfies every import of it. */
export const credentialsWillNeedRefresh = (credentials: Credentials): boolean =>
  credentials?.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials: Credentials): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;

/**
 * What the Lambda bundles get instead of `@aws-sdk/credential-provider-node` (an esbuild alias in
 * `infra/constructs/bundling.ts`; ADR 0012): the SDK clients call `defaultProvider(config)` once
 * per client for their credentials, and here that is only the environment, which is where Lambda
 * puts a function's role credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`). The SSO, ini, process, web-identity, container and instance-metadata
 * providers of the default chain (about 130 KB of every bundle with what only they use, and a
 * static `node:http` import) are left out.
 * Code that is not bundled (the local runtime, the tests, the CLI) keeps the SDK's default chain.
 *
 * Memoised as the default chain's `memoizeChain` is (the SDK marks this provider memoised and does
 * not wrap it again): the variables are read on the first call and again only when the SDK asks for
 * a refresh (`forceRefresh`) or when `AWS_CREDENTIAL_EXPIRATION` is set and less than five minutes
 * away. Lambda sets no expiration: its credentials last as long as the execution environment. A
 * failed read is not kept, so the next call reads again.
 */
export const defaultProvider = (
  init: FromEnvInit = {},
): ((options?: CredentialProviderCallOptions) => Promise<Credentials>) => {
  const read = fromEnv(init);
  let credentials: Promise<Credentials> | undefined;
  let resolved: Credentials | undefined;
  return (options) => {
    if (!credentials || options?.forceRefresh || (resolved && credentialsTreatedAsExpired(resolved))) {
      const reading = read().then((c) => {
        if (credentials === reading) resolved = c;
        return c;
      });
      credentials = reading;
      resolved = undefined;
      reading.catch(() => {
        if (credentials === reading) credentials = undefined;
      });
    }
    return credentials;
  };
};
