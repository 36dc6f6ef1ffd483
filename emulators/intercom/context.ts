// What every handler receives: the workspace, the clock, the request's API version and admin,
// and `emit` for webhook notifications. The same operations serve the REST API and the
// control plane, so a change notifies subscribers whatever made it.
import type { Workspace } from './state.ts';
import type { ApiVersion } from './versions.ts';

export interface Emitter {
  /** `item` is built per subscribed API version, only when someone listens, and within the
   * call: it reads the records as they are at the change, so callers need no snapshot. */
  emit(topic: string, item: (version: ApiVersion) => unknown): void;
}

export interface Ops extends Emitter {
  ws: Workspace;
  /** UNIX seconds. */
  now(): number;
  /** Contacts created less than this ago are not found by search yet (default 0). */
  searchDelaySeconds: number;
  /** The admin the token belongs to: authors of API actions without an explicit admin. */
  tokenAdminId(): string;
}

export interface ApiRequest {
  ops: Ops;
  version: ApiVersion;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}
