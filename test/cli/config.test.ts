import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import {
  control,
  intercomTokenArgs,
  salesforcePasswordArgs,
  startEmulators,
  Workspace,
  type Emulators,
} from './support.ts';

let emulators: Emulators;

before(async () => {
  emulators = await startEmulators();
  await control(emulators.salesforce.url, 'seed', {
    customFields: [
      { object: 'Lead', name: 'Plan__c', type: 'string', length: 80 },
      { object: 'Contact', name: 'Plan__c', type: 'string', length: 80 },
      { object: 'Lead', name: 'Is_Partner__c', type: 'boolean' },
      { object: 'Lead', name: 'Seats__c', type: 'int' },
      {
        object: 'Lead',
        name: 'Tier__c',
        type: 'picklist',
        values: ['Gold', 'Silver'],
        restricted: true,
      },
    ],
  });
  for (const [name, data_type] of [
    ['plan', 'string'],
    ['seats', 'integer'],
  ]) {
    const response = await fetch(`${emulators.intercom.url}/data_attributes`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${emulators.intercom.credentials.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name, model: 'contact', data_type }),
    });
    assert.equal(response.status, 200, await response.text());
  }
  const intercom = (path: string, body: unknown) =>
    fetch(`${emulators.intercom.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${emulators.intercom.credentials.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  const tier = await intercom('/data_attributes', {
    name: 'tier',
    model: 'contact',
    data_type: 'string',
  });
  assert.equal(tier.status, 200, await tier.text());
  const person = await intercom('/contacts', {
    role: 'lead',
    email: 'pat@example.com',
    custom_attributes: { tier: 'Platinum' },
  });
  assert.equal(person.status, 200, await person.text());
});
after(async () => {
  await emulators.close();
});

/** A data folder connected to both emulators. */
async function connectedWorkspace(): Promise<Workspace> {
  const workspace = new Workspace();
  for (const args of [
    salesforcePasswordArgs(emulators.salesforce),
    intercomTokenArgs(emulators.intercom),
  ]) {
    const result = await workspace.run(args);
    assert.equal(result.code, 0, result.stderr);
  }
  return workspace;
}

interface SettingsFile {
  mappings: { Lead: Record<string, unknown>[]; Contact: Record<string, unknown>[] };
  leadCreation: { companyPlaceholder: string };
  [key: string]: unknown;
}

async function exported(workspace: Workspace): Promise<SettingsFile> {
  const file = join(workspace.dataDir, `export-${Date.now()}.yaml`);
  const result = await workspace.run(['config', 'export', '--output', file]);
  assert.equal(result.code, 0, result.stderr);
  return parseYaml(readFileSync(file, 'utf8')) as SettingsFile;
}

function writeSettings(workspace: Workspace, settings: unknown, name = 'settings.yaml'): string {
  const file = join(workspace.dataDir, name);
  writeFileSync(file, typeof settings === 'string' ? settings : toYaml(settings));
  return file;
}

describe('tandem config', () => {
  it('exports the defaults: email fallback on, Lead creation on with LastName and Company mapped', async () => {
    const workspace = new Workspace();
    const result = await workspace.run(['config', 'export']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# Tandem people-sync settings: defaults \(nothing applied yet\)/);
    const settings = parseYaml(result.stdout) as {
      matching: { emailFallback: boolean };
      leadCreation: { enabled: boolean };
      mappings: { Lead: { salesforce: string }[] };
    };
    assert.equal(settings.matching.emailFallback, true);
    assert.equal(settings.leadCreation.enabled, true);
    assert.deepEqual(
      settings.mappings.Lead.map((m) => m.salesforce),
      ['LastName', 'Company', 'Email'],
    );
  });

  it('applies an edited export after live validation, shows old → new per path, and records the version with its author', async () => {
    const workspace = await connectedWorkspace();
    const settings = await exported(workspace);
    settings.mappings.Lead.push({
      intercom: 'custom_attributes.plan',
      salesforce: 'Plan__c',
      direction: 'both',
      conflictPolicy: 'salesforce_wins',
    });
    settings.leadCreation.companyPlaceholder = 'Unknown company';
    const file = writeSettings(workspace, settings);

    const applied = await workspace.run(['config', 'apply', file, '--yes', '--author', 'ada']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /Changes from version 0 \(the defaults\):/);
    assert.match(
      applied.stdout,
      /^ {2}mappings\.Lead\[3\]: \(absent\) → \{ intercom: custom_attributes\.plan, salesforce: Plan__c, direction: both, conflictPolicy: salesforce_wins, skipIfSourceEmpty: false, skipIfDestinationHasValue: false \}$/m,
    );
    assert.match(
      applied.stdout,
      /^ {2}leadCreation\.companyPlaceholder: "\[not provided\]" → "Unknown company"$/m,
    );
    assert.match(applied.stdout, /Applied as version 1 by ada\./);

    const again = await exported(workspace);
    assert.equal(again.mappings.Lead[3]?.['salesforce'], 'Plan__c');
    assert.equal(again.leadCreation.companyPlaceholder, 'Unknown company');

    // A second edit changes one leaf: the diff names exactly that path.
    again.mappings.Lead[3]!['direction'] = 'to_salesforce';
    const second = await workspace.run([
      'config',
      'apply',
      writeSettings(workspace, again, 'second.yaml'),
      '--yes',
      '--author',
      'grace',
    ]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(
      second.stdout,
      /^Changes from version 1:\n {2}mappings\.Lead\[3\]\.direction: "both" → "to_salesforce"\nApplied as version 2 by grace\.$/m,
    );

    const unchanged = await workspace.run([
      'config',
      'apply',
      file.replace('settings', 'second'),
      '--yes',
    ]);
    assert.equal(unchanged.code, 0);
    assert.match(unchanged.stdout, /No changes: .* matches version 2\./);

    await workspace.withStore(async (store) => {
      const history = await store.settings.history('sync');
      assert.deepEqual(
        history.map((h) => [h.version, h.changedBy]),
        [
          [1, 'ada'],
          [2, 'grace'],
        ],
      );
    });
  });

  it('refuses a file with schema problems, listing every one with its path, and stores nothing', async () => {
    const workspace = new Workspace();
    const file = writeSettings(
      workspace,
      [
        'matching:',
        '  mode: fuzzy',
        'mappings:',
        '  Lead:',
        '    - { intercom: email, salesforce: Email, direction: sideways }',
        '    - { intercom: "", salesforce: Title, direction: to_salesforce }',
        'leadCreation:',
        '  enabled: sometimes',
        'colour: blue',
      ].join('\n'),
    );
    const result = await workspace.run(['config', 'apply', file, '--yes', '--offline']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /has 5 problems; nothing was applied:/);
    for (const line of [
      /✗ matching\.mode: must be one of identifier, email/,
      /✗ mappings\.Lead\[0\]\.direction: must be one of to_salesforce, to_intercom, both/,
      /✗ mappings\.Lead\[1\]\.intercom: must not be empty/,
      /✗ leadCreation\.enabled: /,
      /✗ colour: is not a known setting/,
    ])
      assert.match(result.stderr, line);
    await workspace.withStore(async (store) => {
      assert.equal(await store.settings.get('sync'), undefined);
    });
  });

  it('refuses mappings the live systems reject, listing every problem with its mapping', async () => {
    const workspace = await connectedWorkspace();
    const settings = await exported(workspace);
    settings.mappings.Lead.push(
      {
        intercom: 'custom_attributes.plan',
        salesforce: 'Is_Partner__c',
        direction: 'to_salesforce',
      },
      { intercom: 'email', salesforce: 'Name', direction: 'to_salesforce' },
      { intercom: 'phone', salesforce: 'No_Such_Field__c', direction: 'to_salesforce' },
      { intercom: 'last_seen_at', salesforce: 'Title', direction: 'to_salesforce' },
    );
    const result = await workspace.run([
      'config',
      'apply',
      writeSettings(workspace, settings),
      '--yes',
    ]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stderr,
      /problems against Salesforce describe and Intercom data attributes:/,
    );
    for (const line of [
      /✗ mappings\.Lead\[3\] \(custom_attributes\.plan → Is_Partner__c\): custom_attributes\.plan \(Text\) cannot be synced to Is_Partner__c \(boolean\)/,
      /✗ mappings\.Lead\[4\] \(email → Name\): Lead\.Name is a compound field/,
      /✗ mappings\.Lead\[4\] \(email → Name\): Lead\.Name is read-only in Salesforce/,
      /✗ mappings\.Lead\[5\] \(phone → No_Such_Field__c\): Lead has no field No_Such_Field__c/,
      /✗ mappings\.Lead\[6\] \(last_seen_at → Title\): last_seen_at changes too often/,
    ])
      assert.match(result.stderr, line);
    assert.match(result.stderr, /Nothing was applied\./);
    await workspace.withStore(async (store) => {
      assert.equal(await store.settings.get('sync'), undefined);
    });
  });

  it('shows the diff but applies nothing without --yes outside a terminal', async () => {
    const workspace = new Workspace();
    const file = writeSettings(workspace, { deleteOtherSide: 'to_intercom' });
    const result = await workspace.run(['config', 'apply', file, '--offline']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /deleteOtherSide: "never" → "to_intercom"/);
    assert.match(result.stderr, /Not applied: run again with --yes/);
    await workspace.withStore(async (store) => {
      assert.equal(await store.settings.get('sync'), undefined);
    });
  });

  it('applies with the schema checks only while the systems are not connected, and says so', async () => {
    const workspace = new Workspace();
    const file = writeSettings(workspace, { deleteOtherSide: 'to_intercom' });
    const applied = await workspace.run(['config', 'apply', file, '--yes']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /Live checks skipped: Salesforce is not connected/);
    assert.match(applied.stdout, /Live checks skipped: Intercom is not connected/);
    assert.match(applied.stdout, /Applied as version 1/);

    const validated = await workspace.run(['validate']);
    assert.equal(validated.code, 1);
    assert.match(
      validated.stderr,
      /Cannot validate against Salesforce and Intercom:\n {2}✗ Salesforce is not connected/,
    );
  });
});

describe('tandem validate', () => {
  it('warns about values in Intercom that a restricted picklist would reject, without refusing', async () => {
    const workspace = await connectedWorkspace();
    const settings = await exported(workspace);
    settings.mappings.Lead.push({
      intercom: 'custom_attributes.tier',
      salesforce: 'Tier__c',
      direction: 'to_salesforce',
    });
    const applied = await workspace.run([
      'config',
      'apply',
      writeSettings(workspace, settings),
      '--yes',
    ]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(
      applied.stdout,
      /! mappings\.Lead\[3\] \(custom_attributes\.tier → Tier__c\): Lead\.Tier__c would reject "Platinum": not among its restricted picklist values/,
    );
    assert.match(applied.stdout, /Applied as version 1/);
    const validated = await workspace.run(['validate']);
    assert.equal(validated.code, 0, validated.stderr);
    assert.match(validated.stdout, /1 warning:\n {2}! mappings\.Lead\[3\]/);
  });

  it('passes the defaults against both emulators', async () => {
    const workspace = await connectedWorkspace();
    const result = await workspace.run(['validate']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Valid: the default settings fit Salesforce and Intercom/);
  });

  it('catches an incompatible type mapping in the current settings against the emulator describe', async () => {
    const workspace = await connectedWorkspace();
    const settings = await exported(workspace);
    settings.mappings.Lead.push({
      intercom: 'custom_attributes.seats',
      salesforce: 'Is_Partner__c',
      direction: 'both',
    });
    const stored = await workspace.run([
      'config',
      'apply',
      writeSettings(workspace, settings),
      '--yes',
      '--offline',
    ]);
    assert.equal(stored.code, 0, stored.stderr);

    const result = await workspace.run(['validate']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /✗ mappings\.Lead\[3\] \(custom_attributes\.seats ↔ Is_Partner__c\): custom_attributes\.seats \(Number\) cannot be synced to Is_Partner__c \(boolean\) \(Intercom ➡️ Salesforce table\)/,
    );
  });
});
