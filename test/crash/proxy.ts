// A small HTTP proxy in front of an emulator that loses calls the way a network does, which the
// emulators' own fault injection cannot: it either resets the connection before the request
// reaches the emulator, or lets the emulator carry the request out and then cuts the connection
// before the answer comes back. The second is what a call timeout looks like to a client (the
// write may have happened, the client cannot know), only without waiting for the timeout.
//
// The emulator's own origin is rewritten to the proxy's in every answer (Salesforce's token
// endpoint answers an `instance_url`), so that every later call goes through the proxy too.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxyOptions {
  readonly target: string;
  /** Chance that a call is reset before it reaches the emulator. */
  readonly resetProbability: number;
  /** Chance that a call is carried out and its answer lost. */
  readonly lostAnswerProbability: number;
  /** Which calls may be hit (others always pass). */
  readonly applies: (method: string, path: string) => boolean;
  readonly random: () => number;
  /** What happens to the first record-changing calls hit, in order, before the dice take over. */
  readonly firstWrites?: readonly ('reset' | 'lostAnswer')[];
}

export interface FaultProxy {
  readonly url: string;
  readonly counts: { resets: number; lostAnswers: number; passed: number };
  /** Whether calls are hit; a proxy starts calm, so that set-up is not. */
  setActive(active: boolean): void;
  close(): Promise<void>;
}

export async function startFaultProxy(options: ProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const counts = { resets: 0, lostAnswers: 0, passed: 0 };
  let active = false;
  const firstWrites = [...(options.firstWrites ?? [])];
  let url = '';
  const server = createServer((req, res) => void forward(req, res));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const hit = active && options.applies(method, path.split('?')[0] ?? path);
    const writes = method !== 'GET' && !/\/(search|query)/.test(path);
    const forced = hit && writes ? firstWrites.shift() : undefined;
    const dice =
      forced === 'reset'
        ? 0
        : forced === 'lostAnswer'
          ? options.resetProbability
          : hit
            ? options.random()
            : 1;
    if (dice < options.resetProbability) {
      counts.resets++;
      req.socket.destroy();
      return;
    }
    const lose = dice < options.resetProbability + options.lostAnswerProbability;
    const headers = { ...req.headers, host: target.host };
    delete headers['accept-encoding'];
    const upstream = request(
      { host: target.hostname, port: target.port, method, path, headers },
      (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          if (lose) {
            counts.lostAnswers++;
            req.socket.destroy();
            return;
          }
          counts.passed++;
          const text = Buffer.concat(body).toString('latin1').replaceAll(target.origin, url);
          const out = Buffer.from(text, 'latin1');
          const outHeaders: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value === undefined || name === 'content-length' || name === 'transfer-encoding')
              continue;
            outHeaders[name] =
              typeof value === 'string' ? value.replaceAll(target.origin, url) : value;
          }
          outHeaders['content-length'] = String(out.length);
          res.writeHead(answer.statusCode ?? 502, outHeaders);
          res.end(out);
        });
        answer.on('error', () => req.socket.destroy());
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(Buffer.concat(chunks));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    counts,
    setActive: (value) => {
      active = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
