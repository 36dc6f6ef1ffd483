// People sync as `tandem serve` runs it: the embedded job engine, the handlers on the stored
// connections (person-connections.ts), both emulators.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createIntercomConnector,
  createSalesforceConnector,
  unwrap,
} from '../../src/connectors/index.ts';
import { createEmbeddedEngine, type JobEngine } from '../../src/queue/index.ts';
import { saveIntercomConnection, saveSalesforceConnection } from '../../src/sync/connections.ts';
import { storedConnections } from '../../src/sync/person-connections.ts';
import { createPersonSync } from '../../src/sync/person-sync.ts';
import { eventually } from '../connectors/salesforce-harness.ts';
import { startSyncWorld, type SyncWorld } from './support.ts';

describe('people sync on the embedded job engine and the stored connections', () => {
  let w: SyncWorld;
  let engine: JobEngine;
  const connections = () =>
    storedConnections(w.store, {
      salesforce: createSalesforceConnector,
      intercom: createIntercomConnector,
    });
  const connect = async (connectedAt: string) => {
    const c = w.sf.emulator.credentials;
    await saveSalesforceConnection(
      w.store,
      {
        loginUrl: w.sf.url,
        clientId: c.clientId,
        flow: 'password',
        username: c.username,
        instanceUrl: w.sf.url,
        organizationId: 'org',
        userId: 'user',
        apiVersion: c.apiVersion,
        connectedAt,
      },
      { clientSecret: c.clientSecret, password: c.password },
      'test',
    );
    await saveIntercomConnection(
      w.store,
      {
        baseUrl: w.ic.url,
        adminId: '1',
        adminEmail: 'admin@example.test',
        workspaceId: null,
        workspaceName: null,
        webhookSecretStored: false,
        connectedAt,
      },
      { accessToken: w.ic.credentials.accessToken },
      'test',
    );
  };
  // Polled through the ledger and the emulators, never timed.
  const until = async (check: () => Promise<boolean>) => {
    let done = false;
    const poll = async () => {
      while (!done) {
        done = await check();
        if (!done) await new Promise((r) => setTimeout(r, 50));
      }
    };
    const running = poll();
    await eventually(() => done, 30_000).finally(() => (done = true));
    await running;
  };

  before(async () => {
    w = await startSyncWorld();
    await w.setSettings({
      mappings: {
        Lead: [
          { intercom: 'custom_attributes.plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
        ],
      },
    });
    const sync = createPersonSync({ store: w.store, ...connections() });
    engine = createEmbeddedEngine({
      store: w.store,
      tasks: sync.tasks,
      pollIntervalMs: 50,
      backoff: { baseMs: 200 },
    });
    await engine.start();
  });
  after(async () => {
    await engine.stop({ graceMs: 1000 });
    await w.close();
  });

  it('skips a change as not_connected, and the job succeeds, before the systems are connected', async () => {
    await engine.add('sync.intercom.contact', { recordKey: 'intercom:contact:early' });
    await until(async () =>
      (await w.events('sync.skipped')).some((e) => e.data['reason'] === 'not_connected'),
    );
    assert.deepEqual(await engine.failedJobs(), []);
  });

  it('parks a refused record after one attempt while the next record’s Lead is created', async () => {
    await connect('2026-11-21T13:00:00.000Z');
    const refused = unwrap(
      await w.intercom.createContact({
        role: 'lead',
        email: 'refused@example.test',
        custom_attributes: { plan: 'far-too-long-a-plan' },
      }),
    );
    const fine = unwrap(
      await w.intercom.createContact({ role: 'lead', email: 'flows@example.test' }),
    );
    for (const id of [refused.id, fine.id])
      await engine.add(
        'sync.intercom.contact',
        { recordKey: `intercom:contact:${id}` },
        { jobKey: `intercom:contact:${id}`, lane: 'live' },
      );
    await until(async () =>
      (await w.records('Lead')).some((l) => l['Email'] === 'flows@example.test'),
    );
    await until(async () => (await engine.failedJobs()).length > 0);
    const [failedJob] = await engine.failedJobs();
    assert.match(failedJob?.lastError ?? '', /STRING_TOO_LONG/);
    const [failure] = await w.store.failures.listOpen();
    assert.equal(failure?.recordKey, `intercom:contact:${refused.id}`);
    assert.equal(failure?.errorCode, 'STRING_TOO_LONG');
    assert.equal(failure?.attempts, 1, 'not retried: the same call would be refused again');
  });

  it('pauses while a connection needs reconnecting, and resumes once it is connected again', async () => {
    const stored = connections();
    await stored.markNeedsReconnect('salesforce', 'refresh token revoked');
    const paused = await stored.openConnections();
    assert.equal(paused.ok, false);
    assert.equal(paused.ok ? undefined : paused.reason, 'needs_reconnect');
    assert.ok((await w.events('connection.needs_reconnect')).length > 0);

    await connect('2026-11-21T14:00:00.000Z');
    assert.equal((await stored.openConnections()).ok, true);
  });
});
