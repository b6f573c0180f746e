import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * `POST /previews` over the real routes: content rendered by the template engine sends
 * use (HTML-escaped in HTML only, missing variables listed) against sample data or a stored
 * profile; a template error names its field and offset; nothing needs more than campaigns:read.
 */
interface Preview {
  rendered: Record<string, string>;
  missingVariables: string[];
}
interface Problem {
  status: number;
  title: string;
  fields: { path: string; message: string }[];
}

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let admin: Client;
let reader: Client;

beforeAll(async () => {
  herald = await startTestHerald();
  const sandbox = await sandboxWithKey(herald, ['admin']);
  admin = sandbox.api;
  const read = await herald.root.post<{ key: string }>('/api-keys', {
    sandbox: sandbox.sandbox,
    scopes: ['campaigns:read'],
  });
  reader = client(herald.url, read.body.key);
  await admin.put('/profiles', {
    identities: [{ namespace: 'email', id: 'ann@example.com' }],
    attributes: { firstName: 'Ann', address: { city: 'Lyon' } },
  });
});
afterAll(async () => {
  await herald?.stop();
});

describe('POST /previews', () => {
  it('renders against sample data: values escaped in HTML only, missing variables listed', async () => {
    const answer = await reader.post<Preview>('/previews', {
      content: {
        subject: 'Hi {{profile.firstName}} <{{context.tag}}>',
        html: '<p>{{context.tag}} {{{context.tag}}} {{context.nothing}}</p>',
        text: '{{unsubscribeUrl}}',
      },
      sampleProfile: { firstName: 'Bo' },
      context: { tag: '<b>' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      rendered: {
        subject: 'Hi Bo <<b>>',
        html: '<p>&lt;b&gt; <b> </p>',
        text: 'https://unsubscribe.invalid/preview',
      },
      missingVariables: ['context.nothing'],
    });
  });

  it("renders against a stored profile's attributes, found by an identity", async () => {
    const answer = await reader.post<Preview>('/previews', {
      content: { body: '{{profile.firstName}} in {{profile.address.city}}' },
      profile: { namespace: 'email', id: 'ANN@example.com' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.rendered).toEqual({ body: 'Ann in Lyon' });
    const unknown = await reader.post<Problem>('/previews', {
      content: { body: 'x' },
      profile: { namespace: 'email', id: 'nobody@example.com' },
    });
    expect(unknown.status).toBe(404);
  });

  it('names the field and offset of a template error, and refuses profile with sampleProfile', async () => {
    const broken = await reader.post<Problem>('/previews', {
      content: { subject: 'ok', text: 'Hello {{profile.name' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.fields).toEqual([
      { path: 'body.content.text', message: expect.stringContaining('offset 6') },
    ]);
    const both = await reader.post<Problem>('/previews', {
      content: { body: 'x' },
      profile: { namespace: 'email', id: 'ann@example.com' },
      sampleProfile: {},
    });
    expect(both.status).toBe(400);
    expect(both.body.fields.map((f) => f.path)).toEqual(['body.sampleProfile']);
  });

  it('asks for campaigns:read', async () => {
    const other = await sandboxWithKey(herald, ['executions:read']);
    expect((await other.api.post('/previews', { content: { body: 'x' } })).status).toBe(403);
  });
});
