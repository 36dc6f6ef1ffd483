// `tandem log`, `tandem failures` and `tandem retry`, in-process on an embedded store filled
// through the store itself, as the sync handlers fill it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createEmbeddedEngine,
  createPostgresEngine,
  type JobPayload,
} from '../../src/queue/index.ts';
import { createSecretBox, openStore, type NewFailure, type Store } from '../../src/store/index.ts';
import { createTestDatabase } from '../queue/support/database.ts';
import { skipWithoutPostgres } from '../support/postgres.ts';
import { Workspace } from './support.ts';

const validation: NewFailure = {
  recordKey: 'intercom:contact:ic-1',
  system: 'salesforce',
  operation: 'create_lead',
  category: 'validation',
  errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  message: 'Acme is not a customer',
  fields: ['Company'],
  attempts: 1,
  payload: { recordKey: 'intercom:contact:ic-1', inboxId: 3 },
};

const limit: NewFailure = {
  recordKey: 'salesforce:Contact:003B',
  system: 'intercom',
  operation: 'update_contact',
  category: 'limit',
  message: 'rate limited for too long',
  attempts: 25,
  payload: { salesforceId: '003B', type: 'Contact' },
};

/** An Intercom lead that became a Salesforce Lead, then synced both ways with some trouble. */
async function history(store: Store): Promise<void> {
  const intercom = 'intercom:contact:ic-1';
  const lead = 'salesforce:Lead:00Q1';
  const ids = { intercomId: 'ic-1', salesforceId: '00Q1' };
  await store.events.append({
    kind: 'lead.created',
    subject: intercom,
    data: {
      ...ids,
      created: true,
      fields: { LastName: 'ada', Company: '[not provided]', Email: 'ada@example.com' },
      fallbacks: [{ field: 'LastName', source: 'email_local_part' }],
    },
  });
  await store.events.append({
    kind: 'link.created',
    subject: intercom,
    data: { ...ids, salesforceType: 'Lead', reason: 'lead_created' },
  });
  await store.links.create({ intercomId: 'ic-1', salesforceId: '00Q1', salesforceType: 'Lead' });
  await store.events.append({
    kind: 'record.updated',
    subject: lead,
    data: {
      ...ids,
      system: 'intercom',
      object: 'contact',
      fields: [{ field: 'phone', before: null, after: '+44 20 7946 0000' }],
    },
  });
  await store.events.append({
    kind: 'sync.skipped',
    subject: intercom,
    data: {
      ...ids,
      reason: 'echo',
      detail: 'the values are the ones Tandem wrote',
      mapping: null,
    },
  });
  await store.events.append({
    kind: 'sync.conflict',
    subject: intercom,
    data: {
      ...ids,
      mapping: { intercom: 'plan', salesforce: 'Plan__c', direction: 'both' },
      intercomValue: 'pro',
      salesforceValue: 'team',
      winner: 'salesforce',
      rule: 'salesforce_wins',
    },
  });
  await store.events.append({
    kind: 'sync.failed',
    subject: intercom,
    data: {
      ...ids,
      category: 'validation',
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      operation: 'update_salesforce',
      message: 'Acme is not a customer',
      fields: ['Company'],
      next: 'needs_attention',
    },
  });
  await store.events.append({
    kind: 'attribute.created',
    subject: intercom,
    data: {
      name: 'plan',
      dataType: 'string',
      mapping: { intercom: 'plan', salesforce: 'Plan__c', object: 'Lead' },
    },
  });
  await store.events.append({ kind: 'sync.skipped', subject: 'intercom:contact:someone-else' });
  await store.failures.record(validation);
}

describe('tandem log', () => {
  it('shows an Intercom contact’s timeline with its linked Lead’s events, summarised', async () => {
    const workspace = new Workspace();
    await workspace.withStore(history);
    const run = await workspace.run(['log', '--intercom', 'ic-1']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(lines[0]!, /^Intercom contact ic-1: linked to Salesforce Lead 00Q1 since /);
    const row = (kind: string) => lines.find((line) => line.includes(` ${kind} `)) ?? '';
    assert.match(
      row('lead.created'),
      /created Lead 00Q1; 3 fields; fallbacks: LastName from email_local_part/,
    );
    assert.match(row('link.created'), /linked intercom ic-1 ↔ Lead 00Q1: lead_created/);
    assert.match(row('record.updated'), /Lead\s+Intercom contact: phone: — → \+44 20 7946 0000/);
    assert.match(row('sync.skipped'), /echo: the values are the ones Tandem wrote/);
    assert.match(
      row('sync.conflict'),
      /plan ↔ Plan__c: intercom pro vs salesforce team; salesforce wins by salesforce_wins/,
    );
    assert.match(
      row('sync.failed'),
      /validation FIELD_CUSTOM_VALIDATION_EXCEPTION during update_salesforce — Acme is not a customer \[Company\] → needs attention/,
    );
    assert.match(
      row('attribute.created'),
      /created Intercom attribute plan \(string\) for plan ↔ Plan__c/,
    );
    assert.doesNotMatch(run.stdout, /someone-else/);
    assert.match(run.stdout, /Needs attention \(1\):/);
    assert.match(run.stdout, /Replay once the cause is fixed: tandem retry 1/);
  });

  it('shows the same history from the Salesforce side, as JSON on request', async () => {
    const workspace = new Workspace();
    await workspace.withStore(history);
    const run = await workspace.run(['log', '--salesforce', '00Q1', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as {
      record: { type: string };
      data: { kind: string; subject: string }[];
      openFailures: { id: number; errorCode: string }[];
    };
    assert.equal(body.record.type, 'Lead');
    assert.deepEqual(
      body.data.map((e) => e.kind),
      [
        'lead.created',
        'link.created',
        'record.updated',
        'sync.skipped',
        'sync.conflict',
        'sync.failed',
        'attribute.created',
      ],
    );
    assert.deepEqual(
      body.openFailures.map((f) => f.errorCode),
      ['FIELD_CUSTOM_VALIDATION_EXCEPTION'],
    );
  });

  it('shows only the latest events with --limit, saying how many are hidden', async () => {
    const workspace = new Workspace();
    await workspace.withStore(history);
    const run = await workspace.run(['log', '--intercom', 'ic-1', '--limit', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /… 5 earlier events/);
    assert.doesNotMatch(run.stdout, /lead\.created/);
    assert.match(run.stdout, /sync\.failed/);
  });

  it('exits 1 for a record Tandem knows nothing about, 2 when the record is not named well', async () => {
    const workspace = new Workspace();
    const unknown = await workspace.run(['log', '--salesforce', '00Qnope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /recorded nothing about Salesforce record 00Qnope/);
    for (const args of [
      ['log'],
      ['log', '--intercom', 'a', '--salesforce', 'b'],
      ['log', '--salesforce', 'b', '--type', 'Account'],
      ['log', '--intercom', 'a', '--limit', 'ten'],
    ]) {
      const run = await workspace.run(args);
      assert.equal(run.code, 2, args.join(' '));
    }
  });
});

describe('tandem failures', () => {
  it('lists the records that need attention with category, errorCode and attempts', async () => {
    const workspace = new Workspace();
    await workspace.withStore(async (store) => {
      await store.failures.record(validation);
      await store.failures.record(limit);
    });
    const run = await workspace.run(['failures']);
    assert.equal(run.code, 0, run.stderr);
    const [header, first, second] = run.stdout.split('\n');
    assert.match(header!, /^ID\s+LAST SEEN\s+RECORD\s+CATEGORY\s+CODE\s+TRIES\s+MESSAGE$/);
    assert.match(
      first!,
      /^1\s.*intercom:contact:ic-1\s+validation\s+FIELD_CUSTOM_VALIDATION_EXCEPTION\s+1\s+create_lead: Acme is not a customer \[Company\]$/,
    );
    assert.match(second!, /^2\s.*salesforce:Contact:003B\s+limit\s+—\s+25\s+update_contact:/);
    assert.match(run.stdout, /2 records need attention/);
  });

  it('filters by category, as JSON on request', async () => {
    const workspace = new Workspace();
    await workspace.withStore(async (store) => {
      await store.failures.record(validation);
      await store.failures.record(limit);
    });
    const run = await workspace.run(['failures', '--category', 'limit', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as { data: { recordKey: string }[] };
    assert.deepEqual(
      body.data.map((f) => f.recordKey),
      ['salesforce:Contact:003B'],
    );
  });

  it('says when nothing needs attention, and refuses an unknown category', async () => {
    const workspace = new Workspace();
    const empty = await workspace.run(['failures']);
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, 'Nothing needs attention.');
    const typo = await workspace.run(['failures', '--category', 'validaton']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /--category is one of auth, permission, validation/);
  });
});

describe('tandem retry', () => {
  it('queues the chosen failure once, on the interactive lane, for a worker to run with its payload', async () => {
    const workspace = new Workspace();
    await workspace.withStore(async (store) => {
      await store.failures.record(validation);
      await store.failures.record(limit);
    });
    const run = await workspace.run(['retry', '1', '--author', 'ada']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Replayed #1 intercom:contact:ic-1 \(job \d+\)/);

    const again = await workspace.run(['retry', '1']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /#1 intercom:contact:ic-1 already left the list \(replayed\)/);

    await workspace.withStore(async (store) => {
      const engine = createEmbeddedEngine({ store, tasks: {} });
      assert.deepEqual(await engine.stats(), [
        { task: 'sync.intercom.contact', lane: 'interactive', queued: 1, running: 0, failed: 0 },
      ]);
      const ran: JobPayload[] = [];
      const worker = createEmbeddedEngine({
        store,
        pollIntervalMs: 20,
        tasks: { 'sync.intercom.contact': async (payload: JobPayload) => void ran.push(payload) },
      });
      await worker.start();
      for (let i = 0; i < 200 && ran.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      await worker.stop();
      assert.deepEqual(ran, [validation.payload]);
      assert.deepEqual(
        (await store.failures.listOpen()).map((f) => f.recordKey),
        ['salesforce:Contact:003B'],
      );
      const [event] = await store.events.list({ kind: 'failure.replayed' });
      assert.equal(event?.subject, 'intercom:contact:ic-1');
      assert.equal(event?.data['by'], 'ada');
    });
  });

  it('replays every open failure with --all', async () => {
    const workspace = new Workspace();
    await workspace.withStore(async (store) => {
      await store.failures.record(validation);
      await store.failures.record(limit);
    });
    const run = await workspace.run(['retry', '--all']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Replayed #1 intercom:contact:ic-1/);
    assert.match(run.stdout, /Replayed #2 salesforce:Contact:003B/);
    assert.match(run.stdout, /2 records queued/);
    await workspace.withStore(async (store) => {
      const stats = await createEmbeddedEngine({ store, tasks: {} }).stats();
      assert.deepEqual(stats.map((s) => [s.task, s.lane, s.queued]).sort(), [
        ['sync.intercom.contact', 'interactive', 1],
        ['sync.salesforce.record', 'interactive', 1],
      ]);
      assert.deepEqual(await store.failures.listOpen(), []);
    });
  });

  it('replays nothing when an id names no failure, and wants ids or --all', async () => {
    const workspace = new Workspace();
    await workspace.withStore(async (store) => void (await store.failures.record(validation)));
    const unknown = await workspace.run(['retry', '1', '7']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no failure with id 7; nothing was replayed/);
    await workspace.withStore(async (store) =>
      assert.equal((await store.failures.listOpen()).length, 1),
    );
    for (const args of [['retry'], ['retry', '1', '--all'], ['retry', 'one']]) {
      const run = await workspace.run(args);
      assert.equal(run.code, 2, args.join(' '));
    }
  });
});

describe('tandem resolve', () => {
  it('closes a failure without replaying it and writes the note to the record’s timeline', async () => {
    const workspace = new Workspace();
    await workspace.withStore(async (store) => {
      await store.failures.record(validation);
      await store.failures.record(limit);
    });
    const run = await workspace.run([
      'resolve',
      '1',
      '--note',
      'Lead fixed by hand',
      '--author',
      'ada',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Resolved #1 intercom:contact:ic-1');
    const log = await workspace.run(['log', '--intercom', 'ic-1']);
    assert.match(
      log.stdout,
      /failure\.resolved .*failure #1 \(validation\) resolved by ada: Lead fixed by hand/,
    );
    assert.doesNotMatch(log.stdout, /Needs attention/);
    const again = await workspace.run(['resolve', '1', '--note', 'x']);
    assert.match(again.stdout, /#1 intercom:contact:ic-1 already left the list \(dismissed\)/);
    await workspace.withStore(async (store) => {
      assert.deepEqual(
        (await store.failures.listOpen()).map((f) => f.id),
        [2],
      );
      assert.equal(
        await createEmbeddedEngine({ store, tasks: {} })
          .stats()
          .then((s) => s.length),
        0,
      );
    });
  });

  it('wants a note and ids, and exits 1 for an id that names no failure', async () => {
    const workspace = new Workspace();
    assert.equal((await workspace.run(['resolve', '1'])).code, 2);
    assert.equal((await workspace.run(['resolve', '--note', 'x'])).code, 2);
    const unknown = await workspace.run(['resolve', '5', '--note', 'x']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no failure with id 5/);
  });
});

describe('tandem retry on PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const key = 'ab'.repeat(32);
  before(async () => (database = await createTestDatabase('retry')));
  after(() => database.drop());

  it('adds the replay through graphile-worker for the workers to take, once', async () => {
    const store = openStore({
      location: { kind: 'postgres', url: database.url },
      secretBox: createSecretBox(Buffer.from(key, 'hex')),
    });
    try {
      await store.migrate();
      await store.failures.record(limit);
    } finally {
      await store.close();
    }
    const workspace = new Workspace();
    const env = { DATABASE_URL: database.url, TANDEM_SECRET_KEY: key };
    const run = await workspace.run(['retry', '--all'], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Replayed #1 salesforce:Contact:003B/);
    const again = await workspace.run(['retry', '1'], { env });
    assert.match(again.stdout, /already left the list/);

    const engine = createPostgresEngine({ connectionString: database.url, tasks: {} });
    try {
      assert.deepEqual(await engine.stats(), [
        { task: 'sync.salesforce.record', lane: 'interactive', queued: 1, running: 0, failed: 0 },
      ]);
    } finally {
      await engine.stop();
    }
  });
});
