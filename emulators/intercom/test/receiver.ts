// A webhook endpoint for tests: records every delivery with its raw body and headers, and
// answers what the test asks (status, delay).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  raw: string;
  headers: IncomingHttpHeaders;
  body: {
    topic: string;
    delivery_attempts: number;
    id: string;
    data: { item: Record<string, unknown> };
  } & Record<string, unknown>;
  at: number;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  answer: (delivery: Delivery, index: number) => { status: number; delayMs?: number };
  /** What a HEAD request (URL validation) gets. */
  headStatus: number;
  waitFor(count: number, timeoutMs?: number): Promise<Delivery[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    deliveries: [],
    answer: () => ({ status: 200 }),
    headStatus: 200,
    async waitFor(count, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (receiver.deliveries.length < count && Date.now() < until) await sleep(10);
      return receiver.deliveries;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    if (req.method === 'HEAD') {
      res.writeHead(receiver.headStatus).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const delivery: Delivery = {
        raw,
        headers: req.headers,
        body: JSON.parse(raw),
        at: Date.now(),
      };
      const index = receiver.deliveries.length;
      receiver.deliveries.push(delivery);
      const { status, delayMs = 0 } = receiver.answer(delivery, index);
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(status).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
