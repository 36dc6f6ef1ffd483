import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startRuntime, type Runtime } from '../../src/runtime/compose.ts';
import { checkpointNames, readReplayId } from '../../src/sync/capture/index.ts';
import { saveIntercomConnection, saveSalesforceConnection } from '../../src/sync/connections.ts';
import {
  startSalesforceHarness,
  type SalesforceHarness,
} from '../connectors/salesforce-harness.ts';
import { eventuallyAsync, silentLog } from './capture-support.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('tandem serve with change capture', () => {
  let h: SalesforceHarness;
  let ic: IntercomEmulator;
  let runtime: Runtime;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-capture-serve-'));

  before(async () => {
    h = await startSalesforceHarness();
    ic = await startIntercomEmulator({ port: 0, seed: 'empty' });
    const loaded = loadConfig({
      env: {
        TANDEM_DATA_DIR: dir,
        TANDEM_PORT: String(await freePort()),
        // The capture supervisor ticks every third of the lease: quickly, for the test.
        TANDEM_JOB_LEASE_MS: '1500',
      },
      cwd: dir,
    });
    assert.ok(loaded.ok, JSON.stringify(loaded));
    runtime = await startRuntime({ config: loaded.config, log: silentLog, role: 'serve' });
  });
  after(async () => {
    await runtime.stop();
    await new Promise((r) => setTimeout(r, 200));
    await h.close();
    await ic.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('captures a Salesforce change as a job once both connections are stored', async () => {
    const { store } = runtime;
    const c = h.emulator.credentials;
    await saveSalesforceConnection(
      store,
      {
        loginUrl: h.url,
        clientId: c.clientId,
        flow: 'password',
        username: c.username,
        instanceUrl: h.url,
        organizationId: '00D000000000001',
        userId: '005000000000001',
        apiVersion: c.apiVersion,
        connectedAt: new Date().toISOString(),
      },
      { clientSecret: c.clientSecret, password: c.password },
      'test',
    );
    await saveIntercomConnection(
      store,
      {
        baseUrl: ic.url,
        adminId: '1',
        adminEmail: 'admin@example.test',
        workspaceId: null,
        workspaceName: null,
        webhookSecretStored: false,
        connectedAt: new Date().toISOString(),
      },
      { accessToken: ic.credentials.accessToken },
      'test',
    );
    // Capture has subscribed once the lease is held and the poll has written its first watermark.
    await eventuallyAsync(
      async () =>
        (await store.checkpoints.get(checkpointNames.salesforcePoll('Contact'))) !== undefined,
      15_000,
    );
    const sf = h.connector();
    const [created] = await sf.create('Lead', [{ LastName: 'Served', Company: 'Capture' }]);
    assert.ok(created?.ok, JSON.stringify(created));
    const subject = `salesforce:Lead:${created.value.id}`;
    await eventuallyAsync(
      async () => (await store.events.list({ subject, kind: 'change.captured' })).length > 0,
      15_000,
    );
    assert.equal(typeof (await readReplayId(store.checkpoints, '/data/LeadChangeEvent')), 'number');
  });
});
