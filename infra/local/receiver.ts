import http from 'node:http';
import { Webhook } from 'standardwebhooks';

/**
 * `npm run receiver`: a webhook receiver for watching Herald's feedback events arrive locally.
 * Prints each event; with WEBHOOK_SECRET set (the `whsec_…` shown when the webhook was created) it
 * verifies every signature and answers 401 to a bad one. RECEIVER_PORT picks the port (4000).
 */
const port = Number(process.env.RECEIVER_PORT ?? 4000);
const secret = process.env.WEBHOOK_SECRET;
const verifier = secret ? new Webhook(secret) : undefined;
const seen = new Set<string>();

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(request.headers['webhook-id'] ?? '');
    let verdict = 'unverified (set WEBHOOK_SECRET to verify)';
    if (verifier) {
      try {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
        verifier.verify(body, headers);
        verdict = 'signature ok';
      } catch (error) {
        console.log(`✗ ${id}: ${(error as Error).message}`);
        response.writeHead(401).end();
        return;
      }
    }
    const repeat = seen.has(id) ? ' (repeat: already received, de-duplicate by webhook-id)' : '';
    seen.add(id);
    try {
      const event = JSON.parse(body) as {
        userId?: string;
        messageDeliveryFeedback?: { feedbackStatus?: { value?: string } };
        messageExecution?: { messageExecutionID?: string };
      };
      console.log(
        `✓ ${id} ${event.messageDeliveryFeedback?.feedbackStatus?.value ?? '?'} for ${event.userId ?? '?'} (execution ${event.messageExecution?.messageExecutionID ?? '?'}), ${verdict}${repeat}`,
      );
    } catch {
      console.log(`✓ ${id} (not JSON) ${verdict}`);
    }
    response.writeHead(204).end();
  });
});
server.listen(port, '127.0.0.1', () =>
  console.log(`Receiving webhooks on http://127.0.0.1:${port}/ (Ctrl-C to stop)`),
);
process.on('SIGINT', () => server.close(() => process.exit(0)));
