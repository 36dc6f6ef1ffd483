import type { ServerType } from '@hono/node-server';
import type { EmulatorContext } from '../context.ts';
import type { ChangeEvent } from '../org.ts';

export interface Streaming {
  publish(events: ChangeEvent[]): void;
  clear(): void;
  close(): Promise<void>;
}

export function attachStreaming(_server: ServerType, _ctx: EmulatorContext): Streaming {
  return { publish() {}, clear() {}, async close() {} };
}
