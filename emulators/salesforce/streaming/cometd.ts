// Change Data Capture over CometD (/cometd/XX.X), served by faye's Bayeux server, which jsforce's
// streaming client (itself faye) talks to unchanged. Channels /data/ChangeEvents and
// /data/<Object>ChangeEvent; events retained 72 hours and replayed from a replayId given in the
// subscribe message's `ext.replay`, as Salesforce does.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ServerType } from '@hono/node-server';
import type { EmulatorContext } from '../context.ts';
import type { ChangeEvent } from '../org.ts';
import { changePayload } from './payload.ts';

interface BayeuxMessage {
  channel: string;
  clientId?: string;
  subscription?: string;
  successful?: boolean;
  error?: string;
  data?: unknown;
  ext?: Record<string, unknown>;
  advice?: Record<string, unknown>;
}

type Next = (message: BayeuxMessage) => void;

interface Timers {
  removeAllTimeouts?(): void;
}

interface FayeExtension {
  incoming?(
    message: BayeuxMessage,
    request: { headers?: Record<string, string | string[] | undefined> } | null,
    callback: Next,
  ): void;
  outgoing?(message: BayeuxMessage, request: unknown, callback: Next): void;
}

interface FayeAdapter {
  attach(server: unknown): void;
  addExtension(extension: FayeExtension): void;
  close(): void;
  _server: {
    _engine: {
      deliver(clientId: string, messages: BayeuxMessage[]): boolean;
      publish(message: BayeuxMessage): void;
      _connections: Map<string, Timers>;
      _engine: Timers & {
        _messages: Map<string, BayeuxMessage[]>;
        _channels: Map<string, { isEmpty(): boolean }>;
        emptyQueue(clientId: string): void;
      };
    };
  };
}

interface FayeModule {
  NodeAdapter: new (options: { mount: string; timeout: number; ping?: number }) => FayeAdapter;
}

const faye = createRequire(import.meta.url)('faye') as FayeModule;

export interface Streaming {
  publish(events: ChangeEvent[]): void;
  clear(): void;
  close(): Promise<void>;
}

interface Retained {
  readonly replayId: number;
  readonly entity: string;
  readonly at: number;
  readonly event: ChangeEvent;
  /** The message data, built when first delivered (most events are never listened to). */
  data?: Record<string, unknown>;
}

const retentionMs = 72 * 3_600_000;
/** Besides 72 hours, at most this many events are kept, so bulk loads do not fill the memory. */
const maxRetained = 100_000;

const schemaIds = new Map<string, string>();

function schemaId(entity: string): string {
  let id = schemaIds.get(entity);
  if (id === undefined) {
    id = createHash('sha256').update(`${entity}ChangeEvent`).digest('base64url').slice(0, 22);
    schemaIds.set(entity, id);
  }
  return id;
}

function channelEntity(channel: string): string | null | undefined {
  if (channel === '/data/ChangeEvents') return null;
  const m = /^\/data\/([A-Za-z0-9_]+?)(__)?ChangeEvent$/.exec(channel);
  return m ? (m[1] as string) + (m[2] ? '__c' : '') : undefined;
}

export function attachStreaming(server: ServerType, ctx: EmulatorContext): Streaming {
  const adapter = new faye.NodeAdapter({ mount: '/cometd', timeout: 20 });
  const retained: Retained[] = [];
  let nextReplayId = 1;
  const pendingReplays = new Map<string, { channel: string; after: number }[]>();

  const knownChannel = (channel: string): boolean => {
    const entity = channelEntity(channel);
    if (entity === null) return true;
    return entity !== undefined && ctx.org.type(entity)?.name === entity;
  };

  adapter.addExtension({
    incoming(message, request, callback) {
      if (
        message.channel === '/meta/handshake' ||
        message.channel === '/meta/connect' ||
        message.channel === '/meta/subscribe'
      ) {
        const header = request?.headers?.['authorization'];
        const token = /^(?:OAuth|Bearer)\s+(.+)$/i.exec(
          Array.isArray(header) ? (header[0] ?? '') : (header ?? ''),
        )?.[1];
        const session = token ? ctx.auth.verify(token) : null;
        if (!session || session === 'expired') {
          message.error =
            message.channel === '/meta/handshake'
              ? '403::Handshake denied'
              : '401::Authentication invalid';
          return callback(message);
        }
      }
      if (message.channel === '/meta/subscribe' && typeof message.subscription === 'string') {
        const channel = message.subscription;
        if (!knownChannel(channel)) {
          message.error = `400::The channel you requested to subscribe to does not exist {${channel}}`;
          return callback(message);
        }
        const replay = message.ext?.['replay'];
        const wanted =
          replay && typeof replay === 'object'
            ? (replay as Record<string, unknown>)[channel]
            : undefined;
        if (typeof wanted === 'number' && wanted !== -1) {
          const oldest = retained[0]?.replayId ?? nextReplayId;
          if (wanted !== -2 && (wanted < oldest - 1 || wanted >= nextReplayId)) {
            message.error = `400::The replayId {${wanted}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`;
            return callback(message);
          }
          const list = pendingReplays.get(message.clientId ?? '') ?? [];
          list.push({ channel, after: wanted === -2 ? 0 : wanted });
          pendingReplays.set(message.clientId ?? '', list);
        }
      }
      if (!message.channel.startsWith('/meta/')) {
        message.error = '403::Publishing to change event channels is not allowed';
      }
      return callback(message);
    },
    outgoing(message, _request, callback) {
      if (message.channel === '/meta/handshake') {
        message.ext = { ...(message.ext ?? {}), replay: true, 'payload.format': true };
        const reply = message as BayeuxMessage & { supportedConnectionTypes?: string[] };
        reply.supportedConnectionTypes = (reply.supportedConnectionTypes ?? []).filter(
          (t) => t !== 'websocket',
        );
        if (!message.successful) {
          message.ext['sfdc'] = { failureReason: '401::Authentication invalid' };
          message.advice = { reconnect: 'none' };
        }
      }
      if (
        message.channel === '/meta/connect' &&
        message.successful === false &&
        message.error?.startsWith('401')
      ) {
        message.advice = { reconnect: 'none' };
      }
      if (message.channel === '/meta/subscribe' && message.successful && message.clientId) {
        const clientId = message.clientId;
        const list = pendingReplays.get(clientId);
        const mine = list?.filter((p) => p.channel === message.subscription) ?? [];
        if (list && mine.length > 0) {
          pendingReplays.set(
            clientId,
            list.filter((p) => !mine.includes(p)),
          );
          // After the subscribe reply, so the client has its subscription when the events arrive.
          setTimeout(() => {
            for (const { channel, after } of mine) {
              const entity = channelEntity(channel);
              const events = retained.filter(
                (e) => e.replayId > after && (entity === null || e.entity === entity),
              );
              if (events.length > 0)
                queueFor(
                  clientId,
                  events.map((e) => ({ channel, data: dataOf(e) })),
                );
            }
          }, 20);
        }
      }
      return callback(message);
    },
  });
  /** Queues messages for one client; faye hands them over on its next /meta/connect. */
  const queueFor = (clientId: string, messages: BayeuxMessage[]): void => {
    const memory = adapter._server._engine._engine;
    memory._messages.set(clientId, [...(memory._messages.get(clientId) ?? []), ...messages]);
    memory.emptyQueue(clientId);
  };
  adapter.attach(server);
  // Salesforce's CometD speaks long-polling only: no WebSocket upgrade.
  server.removeAllListeners('upgrade');
  server.on('upgrade', (_request: unknown, socket: { destroy(): void }) => socket.destroy());
  const dataOf = (entry: Retained): Record<string, unknown> =>
    (entry.data ??= {
      schema: schemaId(entry.entity),
      payload: changePayload(ctx.org, entry.event),
      event: { replayId: entry.replayId },
    });
  /** Whether any client subscribes to the channel or a wildcard above it. */
  const listened = (channel: string): boolean => {
    const subscriptions = adapter._server._engine._engine._channels;
    return [channel, '/data/*', '/data/**', '/**'].some(
      (c) => subscriptions.get(c)?.isEmpty() === false,
    );
  };

  // Events go straight to the engine: no in-process client, no extension pipeline, nothing at all
  // to do for a channel nobody listens to (bulk loads publish thousands).
  const engine = adapter._server._engine;
  let counter = 0;
  const deliver = (channel: string, data: unknown): void => {
    counter += 1;
    engine.publish({ channel, data, id: counter.toString(36) } as BayeuxMessage);
  };

  return {
    publish(events) {
      const now = ctx.org.now();
      while (retained.length > 0 && (retained[0] as Retained).at < now - retentionMs)
        retained.shift();
      for (const event of events) {
        const entry: Retained = {
          replayId: nextReplayId++,
          entity: event.header.entityName,
          at: event.header.commitTimestamp,
          event,
        };
        retained.push(entry);
        for (const channel of [`/data/${entry.entity}ChangeEvent`, '/data/ChangeEvents']) {
          if (listened(channel)) deliver(channel, dataOf(entry));
        }
      }
      if (retained.length > maxRetained) retained.splice(0, retained.length - maxRetained);
    },
    clear() {
      retained.length = 0;
    },
    async close() {
      adapter.close();
      // faye's engine keeps client-expiry timers that would hold the process open.
      const engine = adapter._server._engine;
      for (const connection of engine._connections.values()) connection.removeAllTimeouts?.();
      engine._engine.removeAllTimeouts?.();
    },
  };
}
