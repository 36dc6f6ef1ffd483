import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTandem } from '../support/cli.ts';
import { Workspace } from './support.ts';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

const secret = 'intercom-app-client-secret';
const adminToken = 'admin-token-for-the-webhook-test';

describe('tandem serve: Intercom webhooks', () => {
  it('takes in a signed webhook, refuses a forged one, and its job records the intake in the ledger', async () => {
    const workspace = new Workspace();
    await workspace.withStore((store) => store.credentials.put('intercom.client_secret', secret));
    const port = await freePort();
    const child = spawnTandem(['serve', '--port', String(port)], {
      env: { ...workspace.env(), TANDEM_ADMIN_TOKEN: adminToken },
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      for (let n = 0; n < 200 && !(await fetch(`${base}/healthz`).catch(() => undefined)); n++)
        await sleep(50);
      const body = JSON.stringify({
        type: 'notification_event',
        app_id: 'abc',
        id: 'notif_process_1',
        topic: 'contact.lead.created',
        data: { item: { type: 'contact', id: 'lead-1', role: 'lead' } },
        created_at: 1_763_726_400,
      });
      const post = (signature: string, payload: string = body) =>
        fetch(`${base}/webhooks/intercom`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Hub-Signature': signature },
          body: payload,
        });
      const signature = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;

      const forged = `sha1=${createHmac('sha1', 'not-the-secret').update(body).digest('hex')}`;
      assert.equal((await post(forged)).status, 401);
      const started = performance.now();
      const accepted = await post(signature);
      assert.equal(accepted.status, 200);
      assert.ok(performance.now() - started < 5000);
      const big = 'x'.repeat(1024 * 1024 + 1);
      assert.equal((await post(signature, big)).status, 413);

      let events: { subject: string; data: { events: number } }[] = [];
      for (let n = 0; n < 100 && events.length === 0; n++) {
        await sleep(100);
        const response = await fetch(`${base}/api/events?kind=webhook.received`, {
          headers: { Authorization: `Bearer ${adminToken}` },
        });
        events = ((await response.json()) as { data: typeof events }).data;
      }
      assert.deepEqual(
        events.map((e) => [e.subject, e.data.events]),
        [['intercom:contact:lead-1', 1]],
      );
    } finally {
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      await exit;
    }
    await workspace.withStore(async (store) => {
      assert.deepEqual(await store.inbox.pending(), []);
      assert.equal(await store.inbox.markRecordProcessed('intercom:contact:lead-1', 1_000), 0);
    });
  });
});
