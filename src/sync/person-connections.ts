// The connectors people sync runs on, opened from the stored connections and kept while the
// connections stay the same (a reconnect stores new ones: they are opened again).
import type { EventsRepository } from '../store/index.ts';
import {
  loadIntercomConnection,
  loadSalesforceConnection,
  markNeedsReconnect,
  openIntercom,
  openSalesforce,
  type ConnectionStore,
  type ConnectorFactories,
  type OpenOptions,
} from './connections.ts';
import type { OpenedConnections, PersonSyncDeps } from './person-sync.ts';

export function storedConnections(
  store: ConnectionStore & { readonly events: EventsRepository },
  factories: ConnectorFactories,
  options: OpenOptions & { readonly now?: () => number } = {},
): Pick<PersonSyncDeps, 'openConnections' | 'markNeedsReconnect'> {
  const now = options.now ?? Date.now;
  let cached: { key: string; value: OpenedConnections } | undefined;
  return {
    async openConnections() {
      const [salesforce, intercom] = await Promise.all([
        loadSalesforceConnection(store),
        loadIntercomConnection(store),
      ]);
      const missing = [...(salesforce ? [] : ['salesforce']), ...(intercom ? [] : ['intercom'])];
      if (!salesforce || !intercom)
        return {
          ok: false,
          reason: 'not_connected',
          detail: `not connected: ${missing.map((s) => `tandem connect ${s}`).join(', ')}`,
        };
      const paused = [
        ...(salesforce.needsReconnect ? ['salesforce'] : []),
        ...(intercom.needsReconnect ? ['intercom'] : []),
      ];
      if (paused.length > 0)
        return {
          ok: false,
          reason: 'needs_reconnect',
          detail: `needs reconnect: ${paused.map((s) => `tandem connect ${s}`).join(', ')}`,
        };
      const key = `${salesforce.connectedAt}|${intercom.connectedAt}`;
      if (cached?.key === key) return cached.value;
      const [sf, ic] = await Promise.all([
        openSalesforce(store, factories, options),
        openIntercom(store, factories, options),
      ]);
      if (!sf || !ic)
        return { ok: false, reason: 'not_connected', detail: 'a connection was removed' };
      const value: OpenedConnections = {
        ok: true,
        salesforce: sf.connector,
        intercom: ic.connector,
      };
      cached = { key, value };
      return value;
    },
    async markNeedsReconnect(system, reason) {
      await markNeedsReconnect(store, system, reason, new Date(now()));
    },
  };
}
