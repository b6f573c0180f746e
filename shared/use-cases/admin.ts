import type { ApiKeyRecord, ApiKeyStore } from '../domain/auth.ts';
import { generateApiKey, hashApiKey, type Principal, type Scope } from '../domain/auth.ts';
import type { Clock } from '../domain/clock.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.ts';
import type { NamespaceStore } from '../domain/identity.ts';
import { isPhoneCountry, isStandardNamespace, STANDARD_NAMESPACES } from '../domain/identity.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { SandboxRecord, SandboxStore } from '../domain/sandbox.ts';
import type {
  ApiKeyView,
  CreateApiKeyInput,
  CreateNamespaceInput,
  CreateSandboxInput,
  NamespaceView,
  PatchSandboxInput,
} from '../schemas/admin.ts';

export interface AdminDeps {
  readonly sandboxes: SandboxStore;
  readonly apiKeys: ApiKeyStore;
  readonly namespaces: NamespaceStore;
  readonly clock: Clock;
}

/** A country Herald can read national phone numbers of, or a 400 naming the field. */
function assertPhoneCountry(country: string | null | undefined): void {
  if (country === null || country === undefined || isPhoneCountry(country)) return;
  throw new ValidationError([
    { path: 'body.defaultCountry', message: `'${country}' is not a country Herald knows phone numbers of` },
  ]);
}

export async function createSandbox(deps: AdminDeps, input: CreateSandboxInput): Promise<SandboxRecord> {
  assertPhoneCountry(input.defaultCountry);
  const sandbox: SandboxRecord = {
    name: input.name,
    createdAt: deps.clock.now().toISOString(),
    ...(input.defaultCountry !== undefined ? { defaultCountry: input.defaultCountry } : {}),
  };
  await deps.sandboxes.create(sandbox);
  return sandbox;
}

/**
 * Edits a sandbox's settings (the default country). Containers cache sandbox settings for a few
 * seconds (HERALD_SANDBOX_CACHE_SECONDS), so the trigger path sees the change within that.
 */
export async function patchSandbox(
  deps: AdminDeps,
  name: string,
  patch: PatchSandboxInput,
): Promise<SandboxRecord> {
  assertPhoneCountry(patch.defaultCountry);
  const updated =
    patch.defaultCountry === undefined
      ? await deps.sandboxes.get(name)
      : await deps.sandboxes.setDefaultCountry(name, patch.defaultCountry, deps.clock.now().toISOString());
  if (!updated) throw new NotFoundError('Sandbox', name);
  return updated;
}

export function listSandboxes(deps: AdminDeps): Promise<SandboxRecord[]> {
  return deps.sandboxes.list();
}

/**
 * The sandbox whose keys a caller manages: the root key names any existing sandbox; a sandbox
 * admin only its own (naming another is 403, never a peek into it).
 */
async function managedSandbox(
  deps: AdminDeps,
  principal: Principal,
  named: string | undefined,
  field: string,
) {
  if (principal.kind === 'root') {
    if (!named) {
      throw new ValidationError([
        { path: field, message: 'is required with the root key (or send the x-sandbox-name header)' },
      ]);
    }
    if (!(await deps.sandboxes.exists(named))) throw new NotFoundError('Sandbox', named);
    return named;
  }
  if (named !== undefined && named !== principal.sandbox) {
    throw new ForbiddenError(
      `The API key belongs to sandbox '${principal.sandbox}' and cannot manage '${named}'.`,
    );
  }
  return principal.sandbox;
}

export function toApiKeyView(record: ApiKeyRecord & { sandbox: string }): ApiKeyView {
  return {
    id: record.id,
    sandbox: record.sandbox,
    scopes: [...record.scopes],
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    ...(record.name !== undefined ? { name: record.name } : {}),
  };
}

/**
 * Creates a sandbox key; the secret is returned once and only its hash is kept. `named` is the
 * sandbox the call names (the body's `sandbox`, or the root key's `x-sandbox-name`).
 */
export async function createApiKey(
  deps: AdminDeps,
  principal: Principal,
  input: CreateApiKeyInput,
  named: string | undefined = input.sandbox,
): Promise<ApiKeyView & { key: string }> {
  const sandbox = await managedSandbox(deps, principal, named, 'body.sandbox');
  const key = generateApiKey();
  const record = {
    id: uuidv7(deps.clock.now().getTime()),
    hash: hashApiKey(key),
    sandbox,
    scopes: input.scopes,
    createdAt: deps.clock.now().toISOString(),
    createdBy: principal.keyId,
    ...(input.name !== undefined ? { name: input.name } : {}),
  };
  await deps.apiKeys.create(record);
  return { ...toApiKeyView(record), key };
}

export async function listApiKeys(deps: AdminDeps, principal: Principal, sandbox: string | undefined) {
  const owner = await managedSandbox(deps, principal, sandbox, 'query.sandbox');
  const records = await deps.apiKeys.list(owner);
  return records.map((record) => toApiKeyView({ ...record, sandbox: owner }));
}

export async function deleteApiKey(
  deps: AdminDeps,
  principal: Principal,
  id: string,
  sandbox: string | undefined,
): Promise<void> {
  const owner = await managedSandbox(deps, principal, sandbox, 'query.sandbox');
  if (!(await deps.apiKeys.delete(owner, id))) throw new NotFoundError('API key', id);
}

/** Creates a root key (bootstrap on first start, or from the command line against a deployed table). */
export async function createRootKey(deps: Pick<AdminDeps, 'apiKeys' | 'clock'>, name: string) {
  const key = generateApiKey();
  const now = deps.clock.now();
  const record = {
    id: uuidv7(now.getTime()),
    hash: hashApiKey(key),
    sandbox: null,
    scopes: [] as Scope[],
    name,
    createdAt: now.toISOString(),
    createdBy: 'bootstrap',
  };
  await deps.apiKeys.create(record);
  return { id: record.id, key };
}

export async function createNamespace(
  deps: AdminDeps,
  sandbox: string,
  input: CreateNamespaceInput,
): Promise<NamespaceView> {
  if (isStandardNamespace(input.code)) {
    throw new ValidationError([{ path: 'code', message: `'${input.code}' is a standard namespace` }]);
  }
  const record = { sandbox, ...input, createdAt: deps.clock.now().toISOString() };
  await deps.namespaces.create(record);
  const { sandbox: _sandbox, ...view } = record;
  return { ...view, standard: false };
}

export async function listNamespaces(deps: AdminDeps, sandbox: string): Promise<NamespaceView[]> {
  const custom = await deps.namespaces.list(sandbox);
  return [
    ...STANDARD_NAMESPACES.map((code) => ({ code, standard: true })),
    ...custom.map(({ sandbox: _sandbox, ...view }) => ({ ...view, standard: false })),
  ];
}
