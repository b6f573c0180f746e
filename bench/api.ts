/** A bench's HTTP client for Herald's API: JSON in and out, any non-2xx answer throws. */
export function apiCaller(baseUrl: string) {
  return async function call(method: string, path: string, key: string, body?: unknown) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
}

type Call = ReturnType<typeof apiCaller>;

/** A sandbox made with the root key, and an admin key of it (the key). */
export async function adminKey(call: Call, rootKey: string, sandbox: string): Promise<string> {
  await call('POST', '/sandboxes', rootKey, { name: sandbox });
  const { key } = (await call('POST', '/api-keys', rootKey, { sandbox, scopes: ['admin'] })) as {
    key: string;
  };
  return key;
}

/** A campaign created and activated (POST /campaigns, then …/activate); its id. */
export async function liveCampaign(call: Call, key: string, body: Record<string, unknown>): Promise<string> {
  const { id } = (await call('POST', '/campaigns', key, body)) as { id: string };
  await call('POST', `/campaigns/${id}/activate`, key);
  return id;
}

/** The benches' high-throughput campaign: a code by email, only `{{context.*}}` in its content. */
export const CODES_CAMPAIGN = {
  name: 'bench codes',
  category: 'transactional',
  channel: 'email',
  identityNamespace: 'email',
  highThroughput: true,
  content: { subject: 'Your code', html: '<p>{{context.code}}</p>' },
} as const;

/** The i-th high-throughput call's body: `recipients` of the 20 bench members, addressed directly. */
export const highThroughputBody = (campaignId: string, requestId: string, i: number, recipients: number) => ({
  requestId,
  campaignId,
  recipients: Array.from({ length: recipients }, (_, r) => ({
    type: 'external',
    userId: `member${(i + r) % 20}@example.com`,
    channelData: { emailAddress: `member${(i + r) % 20}@example.com` },
    context: { code: String(i) },
  })),
});
