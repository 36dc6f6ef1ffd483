import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import jsforce from 'jsforce';
import { ok, type ConnectorError } from '../../src/connectors/result.ts';
import {
  subscribeChanges,
  type StreamingConnection,
} from '../../src/connectors/salesforce/streaming.ts';
import type {
  ChangeEvent,
  ChangeSubscription,
  SalesforceConnector,
} from '../../src/connectors/salesforce/index.ts';
import {
  eventually,
  startSalesforceHarness,
  tokenLog,
  type SalesforceHarness,
} from './salesforce-harness.ts';

function recorder(): {
  events: ChangeEvent[];
  errors: ConnectorError[];
  onEvent: (e: ChangeEvent) => void;
  onError: (e: ConnectorError) => void;
} {
  const events: ChangeEvent[] = [];
  const errors: ConnectorError[] = [];
  return {
    events,
    errors,
    onEvent: (e) => void events.push(e),
    onError: (e) => void errors.push(e),
  };
}

async function createLead(sf: SalesforceConnector, lastName: string): Promise<string> {
  const [result] = await sf.create('Lead', [{ LastName: lastName, Company: 'CDC' }]);
  assert.ok(result?.ok, JSON.stringify(result));
  return result.value.id;
}

describe('Salesforce change data capture', () => {
  let h: SalesforceHarness;
  let sf: SalesforceConnector;
  const subscriptions: ChangeSubscription[] = [];

  before(async () => {
    h = await startSalesforceHarness();
    sf = h.connector();
  });
  after(async () => {
    for (const s of subscriptions) await s.cancel();
    // Let the disconnects reach the server, which then answers the pending long polls.
    await new Promise((r) => setTimeout(r, 200));
    await h.close();
  });

  it("delivers Tandem's own writes with client=tandem in changeOrigin and tracks the replay id", async () => {
    const r = recorder();
    const subscription = sf.subscribeChanges({
      channel: '/data/LeadChangeEvent',
      replayId: -1,
      ...r,
    });
    subscriptions.push(subscription);
    assert.deepEqual(await subscription.ready, { ok: true, value: undefined });
    const id = await createLead(sf, 'Streamed');
    await eventually(() => r.events.length >= 1);
    const header = r.events[0]?.payload.ChangeEventHeader;
    assert.equal(header?.changeType, 'CREATE');
    assert.deepEqual(header?.recordIds, [id]);
    assert.match(header?.changeOrigin ?? '', /;client=tandem$/);
    assert.equal(subscription.lastReplayId(), r.events[0]?.event.replayId);
    assert.deepEqual(r.errors, []);
  });

  it('resumes after a stored replay id without repeating or skipping events', async () => {
    const first = recorder();
    const live = sf.subscribeChanges({ channel: '/data/LeadChangeEvent', replayId: -1, ...first });
    subscriptions.push(live);
    await live.ready;
    await createLead(sf, 'Replay One');
    await eventually(() => first.events.length === 1);
    const checkpoint = live.lastReplayId();
    await live.cancel();
    const second = await createLead(sf, 'Replay Two');
    const third = await createLead(sf, 'Replay Three');

    const resumed = recorder();
    const again = sf.subscribeChanges({
      channel: '/data/LeadChangeEvent',
      replayId: checkpoint,
      ...resumed,
    });
    subscriptions.push(again);
    await again.ready;
    await eventually(() => resumed.events.length >= 2);
    assert.deepEqual(
      resumed.events.map((e) => e.payload.ChangeEventHeader.recordIds[0]),
      [second, third],
    );
  });

  it('renews an expired session when the handshake is refused and subscribes again', async () => {
    const log = tokenLog();
    const grant = await h.refreshToken();
    const connector = h.connector({
      instanceUrl: grant.instanceUrl,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      onTokenRefreshed: log.onTokenRefreshed,
    });
    await h.control('expire-tokens', {});
    const r = recorder();
    const subscription = connector.subscribeChanges({
      channel: '/data/LeadChangeEvent',
      replayId: -1,
      ...r,
    });
    subscriptions.push(subscription);
    assert.deepEqual(await subscription.ready, { ok: true, value: undefined });
    assert.equal(r.errors[0]?.code, 'session_expired');
    assert.equal(log.seen.length, 1);
    const id = await createLead(connector, 'After Renewal');
    await eventually(() => r.events.some((e) => e.payload.ChangeEventHeader.recordIds[0] === id));
  });

  it('answers a failed subscription for a channel that does not exist', async () => {
    const r = recorder();
    const subscription = sf.subscribeChanges({
      channel: '/data/NoSuchChangeEvent',
      replayId: -1,
      ...r,
    });
    subscriptions.push(subscription);
    const ready = await subscription.ready;
    assert.equal(ready.ok, false);
    assert.ok(!ready.ok && ready.error.code === 'validation');
    assert.match(ready.error.message, /channel .* does not exist/);
    assert.deepEqual(r.errors.at(-1), ready.error);
  });
});

describe('Salesforce change data capture while Salesforce is unreachable', () => {
  it('stops retrying the CometD handshake once cancelled, so nothing keeps Tandem running', async () => {
    // Every CometD request fails: faye retries the handshake every few seconds, for ever.
    const handshakes: number[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (body.includes('/meta/handshake')) handshakes.push(Date.now());
        response.writeHead(503).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const connection = new jsforce.Connection({
        instanceUrl: `http://127.0.0.1:${port}`,
        accessToken: 'token',
        version: '59.0',
      });
      const errors: ConnectorError[] = [];
      const subscription = subscribeChanges(
        {
          connection: async () => ok(connection as unknown as StreamingConnection),
          renewSession: async () => ok(undefined),
        },
        {
          channel: '/data/LeadChangeEvent',
          replayId: -1,
          onEvent: () => {},
          onError: (error) => void errors.push(error),
        },
      );
      await eventually(() => handshakes.length >= 1);
      await subscription.cancel();
      const seen = handshakes.length;
      // faye's handshake retry interval is 5 s (its default); a retry would land within it.
      await sleep(6_500);
      assert.equal(handshakes.length, seen, 'no handshake after the subscription was cancelled');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
