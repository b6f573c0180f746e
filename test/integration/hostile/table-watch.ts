import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type AttributeMap = Record<string, unknown>;

export interface Creation {
  readonly seq: number;
  readonly operation: string;
  readonly key: string;
}

export interface TableWatch {
  /** Where Herald should send its DynamoDB calls (AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint: string;
  /** How many items the table holds, as the writes that succeeded say. */
  size(): number;
  /** A point in the write log; `createdSince(mark)` lists the items created after it. */
  mark(): number;
  createdSince(mark: number): readonly Creation[];
  /** When the last write request (of any outcome) reached the engine, in epoch ms. */
  lastWriteAt(): number;
  stop(): Promise<void>;
}

/**
 * A pass-through in front of the embedded DynamoDB engine that keeps the set of item keys from the
 * writes that succeeded (Put, Update, Delete, BatchWrite, TransactWrite). Scanning the table before
 * and after each of a thousand cases would cost more than the cases; this answers "did this request
 * create an item?" exactly and for free. The test checks it against a real Scan at both ends.
 */
export async function startTableWatch(
  engineEndpoint: string,
  keyNames: readonly string[],
): Promise<TableWatch> {
  const engine = new URL(engineEndpoint);
  const live = new Set<string>();
  const log: Creation[] = [];
  const keyText = (item: AttributeMap | undefined) =>
    JSON.stringify(keyNames.map((name) => item?.[name] ?? null));
  const put = (operation: string, item: AttributeMap | undefined) => {
    const key = keyText(item);
    if (live.has(key)) return;
    live.add(key);
    log.push({ seq: log.length, operation, key });
  };
  let lastWrite = Date.now();
  const remove = (item: AttributeMap | undefined) => live.delete(keyText(item));

  const apply = (target: string, request: Record<string, unknown>, answer: Record<string, unknown>) => {
    switch (target) {
      case 'PutItem':
        return put(target, request.Item as AttributeMap);
      case 'UpdateItem':
        return put(target, request.Key as AttributeMap);
      case 'DeleteItem':
        return remove(request.Key as AttributeMap);
      case 'BatchWriteItem': {
        const unprocessed = new Set<string>();
        for (const entries of Object.values((answer.UnprocessedItems ?? {}) as Record<string, unknown[]>)) {
          for (const entry of entries as Record<string, { Item?: AttributeMap; Key?: AttributeMap }>[]) {
            unprocessed.add(keyText(entry.PutRequest?.Item ?? entry.DeleteRequest?.Key));
          }
        }
        for (const entries of Object.values((request.RequestItems ?? {}) as Record<string, unknown[]>)) {
          for (const entry of entries as Record<string, { Item?: AttributeMap; Key?: AttributeMap }>[]) {
            const item = entry.PutRequest?.Item ?? entry.DeleteRequest?.Key;
            if (unprocessed.has(keyText(item))) continue;
            if (entry.PutRequest) put(target, item);
            else remove(item);
          }
        }
        return;
      }
      case 'TransactWriteItems':
        for (const entry of (request.TransactItems ?? []) as Record<
          string,
          { Item?: AttributeMap; Key?: AttributeMap }
        >[]) {
          if (entry.Put) put(target, entry.Put.Item);
          else if (entry.Update) put(target, entry.Update.Key);
          else if (entry.Delete) remove(entry.Delete.Key);
        }
        return;
    }
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(request.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
      if (/Write|Put|Update|Delete/.test(target)) lastWrite = Date.now();
      const upstream = http.request(
        {
          host: engine.hostname,
          port: engine.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const text = Buffer.concat(parts);
            if (answer.statusCode === 200 && text.length > 0) {
              try {
                apply(target, JSON.parse(body.toString('utf8')), JSON.parse(text.toString('utf8')));
              } catch {
                // Not a write this watch understands (or not JSON): it creates nothing.
              }
            }
            response.writeHead(answer.statusCode ?? 500, answer.headers);
            response.end(text);
          });
        },
      );
      upstream.on('error', (error) => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'InternalServerError', message: error.message }));
      });
      upstream.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    size: () => live.size,
    mark: () => log.length,
    createdSince: (mark) => log.slice(mark).filter((c) => live.has(c.key)),
    lastWriteAt: () => lastWrite,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
