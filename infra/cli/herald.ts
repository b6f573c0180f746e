import { parseArgs } from 'node:util';
import { systemClock } from '../../shared/domain/clock.ts';
import { HeraldError } from '../../shared/domain/errors.ts';
import { SCOPES, type Scope } from '../../shared/schemas/admin.ts';
import { sandboxNameSchema } from '../../shared/schemas/common.ts';
import { DynamoDbApiKeyStore } from '../../shared/store/dynamodb-api-key-store.ts';
import { createDocumentClient } from '../../shared/store/dynamodb-client.ts';
import { DynamoDbNamespaceStore } from '../../shared/store/dynamodb-namespace-store.ts';
import { DynamoDbSandboxStore } from '../../shared/store/dynamodb-sandbox-store.ts';
import {
  createApiKey,
  createRootKey,
  createSandbox,
  deleteApiKey,
  listApiKeys,
} from '../../shared/use-cases/admin.ts';

const USAGE = `Bootstrap a deployed Herald: talks to its DynamoDB table directly with your AWS credentials.

Usage: npm run herald -- <command> [options]
  sandboxes create <name>
  keys create-root [--name NAME]                  the secret is printed once
  keys create --sandbox S --scopes a,b [--name N] the secret is printed once
  keys list --sandbox S
  keys delete --sandbox S --id ID

Options:
  --table NAME   the table (default: $TABLE_NAME, else the stack output HeraldTableName)
  --help

Scopes: ${SCOPES.join(', ')}`;

function fail(message: string): never {
  console.error(`herald: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    table: { type: 'string' },
    sandbox: { type: 'string' },
    scopes: { type: 'string' },
    name: { type: 'string' },
    id: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help || positionals.length === 0) {
  console.log(USAGE);
  process.exit(0);
}
const table = values.table ?? process.env.TABLE_NAME;
if (!table) fail('name the table with --table or TABLE_NAME');

const documents = createDocumentClient();
const deps = {
  sandboxes: new DynamoDbSandboxStore(documents, table),
  apiKeys: new DynamoDbApiKeyStore(documents, table),
  namespaces: new DynamoDbNamespaceStore(documents, table),
  clock: systemClock,
};
const cli = { kind: 'root', keyId: 'cli' } as const;

function scopesOption(): Scope[] {
  const scopes = (values.scopes ?? '').split(',').filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0)
    fail(`--scopes must list known scopes (unknown: ${unknown.join(', ') || 'none given'})`);
  return scopes as Scope[];
}

try {
  const [group, command, argument] = positionals;
  if (group === 'sandboxes' && command === 'create') {
    const name = sandboxNameSchema.safeParse(argument);
    if (!name.success) fail(`sandbox name ${name.error.issues[0]?.message ?? 'is invalid'}`);
    console.log(JSON.stringify(await createSandbox(deps, { name: name.data }), null, 2));
  } else if (group === 'keys' && command === 'create-root') {
    const { id, key } = await createRootKey(deps, values.name ?? 'cli');
    console.log(`Root key ${id} created. Store it now; it is not shown again:\n${key}`);
  } else if (group === 'keys' && command === 'create') {
    const created = await createApiKey(deps, cli, {
      sandbox: values.sandbox ?? fail('--sandbox is required'),
      scopes: scopesOption(),
      ...(values.name ? { name: values.name } : {}),
    });
    console.log(JSON.stringify(created, null, 2));
  } else if (group === 'keys' && command === 'list') {
    console.log(
      JSON.stringify(await listApiKeys(deps, cli, values.sandbox ?? fail('--sandbox is required')), null, 2),
    );
  } else if (group === 'keys' && command === 'delete') {
    await deleteApiKey(
      deps,
      cli,
      values.id ?? fail('--id is required'),
      values.sandbox ?? fail('--sandbox is required'),
    );
    console.log('deleted');
  } else {
    fail(`unknown command: ${positionals.join(' ')}`);
  }
} catch (error) {
  if (error instanceof HeraldError) {
    console.error(`herald: ${error.title}: ${error.detail ?? ''}`);
    process.exit(1);
  }
  throw error;
}
