import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import {
  createIntercomConnector,
  createSalesforceConnector,
  type SalesforceConnector,
} from '../../src/connectors/index.ts';
import type { Store } from '../../src/store/index.ts';
import {
  createChangeCapture,
  type ChangeCapture,
  type JobSink,
} from '../../src/sync/capture/index.ts';
import {
  markNeedsReconnect,
  saveIntercomConnection,
  saveSalesforceConnection,
  type ConnectorFactories,
} from '../../src/sync/connections.ts';
import {
  eventually,
  startSalesforceHarness,
  type SalesforceHarness,
} from '../connectors/salesforce-harness.ts';
import { openTestStore, recordingJobs, silentLog } from './capture-support.ts';

const factories: ConnectorFactories = {
  salesforce: createSalesforceConnector,
  intercom: createIntercomConnector,
};

describe('ChangeCapture', () => {
  let h: SalesforceHarness;
  let ic: IntercomEmulator;
  let sf: SalesforceConnector;
  let store: Store;
  let closeStore: () => Promise<void>;
  const captures: ChangeCapture[] = [];

  const capture = (holder: string, jobs: JobSink) => {
    const c = createChangeCapture({
      store,
      jobs,
      factories,
      log: silentLog,
      holder,
      settings: {
        salesforcePollMs: 600_000,
        salesforceOverlapMs: 300_000,
        intercomSweepMs: 600_000,
        intercomOverlapMs: 300_000,
        // Long enough that only the tests' own ticks supervise.
        leaseMs: 600_000,
        reconnect: { baseMs: 50, maxMs: 200 },
      },
    });
    captures.push(c);
    return c;
  };

  const connectSalesforce = async () => {
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
  };

  const createLead = async (lastName: string) => {
    const [result] = await sf.create('Lead', [{ LastName: lastName, Company: 'Capture' }]);
    assert.ok(result?.ok, JSON.stringify(result));
    return result.value.id;
  };

  before(async () => {
    h = await startSalesforceHarness();
    sf = h.connector();
    ic = await startIntercomEmulator({ port: 0, seed: 'empty' });
    ({ store, close: closeStore } = await openTestStore());
  });
  after(async () => {
    for (const c of captures) await c.stop();
    await new Promise((r) => setTimeout(r, 200));
    await h.close();
    await ic.close();
    await closeStore();
  });

  it('captures nothing until both connections exist, then turns a Salesforce change into a job', async () => {
    const jobs = recordingJobs();
    const c = capture('process-a', jobs);
    await c.start();
    assert.deepEqual(c.status(), { leader: true, salesforce: 'stopped', intercom: 'stopped' });
    await connectSalesforce();
    await c.tick();
    assert.equal(c.status().salesforce, 'stopped', 'Intercom is not connected yet');
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
    await c.tick();
    assert.deepEqual(c.status(), { leader: true, salesforce: 'running', intercom: 'running' });
    const id = await createLead('Through Capture');
    await eventually(() => jobs.keys().includes(`salesforce:Lead:${id}`));
  });

  it('lets only the lease holder capture, and hands over when it stops', async () => {
    const [first] = captures;
    assert.ok(first);
    const second = capture('process-b', recordingJobs());
    await second.start();
    assert.deepEqual(second.status(), {
      leader: false,
      salesforce: 'stopped',
      intercom: 'stopped',
    });
    await first.stop();
    await second.tick();
    assert.deepEqual(second.status(), { leader: true, salesforce: 'running', intercom: 'running' });
    await second.stop();
  });

  it('pauses Salesforce capture while the connection needs reconnect and catches up after connecting again', async () => {
    const jobs = recordingJobs();
    const c = capture('process-c', jobs);
    await c.start();
    assert.equal(c.status().salesforce, 'running');
    await markNeedsReconnect(store, 'salesforce', 'refresh token revoked', new Date());
    await c.tick();
    assert.equal(c.status().salesforce, 'paused');
    const whilePaused = await createLead('While Paused');
    await connectSalesforce();
    await c.tick();
    assert.equal(c.status().salesforce, 'running');
    await eventually(() => jobs.keys().includes(`salesforce:Lead:${whilePaused}`));
    await c.stop();
  });
});
