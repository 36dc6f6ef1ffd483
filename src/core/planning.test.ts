import assert from 'node:assert/strict';
import { describe as suite, it } from 'node:test';
import type { Direction } from './compatibility.ts';
import type { IntercomContact } from './intercom.ts';
import { planPersonSync, type PersonPlan, type PlanInput } from './planning.ts';
import type { SalesforcePerson } from './salesforce.ts';
import type { SettingsInput } from './settings.ts';
import { attributes, contact, describe, person, settings } from './test-fixtures.ts';

const plan = (
  input: Partial<Omit<PlanInput, 'settings'>> & { settings?: SettingsInput },
): PersonPlan =>
  planPersonSync({
    describe,
    intercomAttributes: attributes,
    intercom: contact(),
    salesforce: null,
    state: null,
    trigger: 'intercom',
    ...input,
    settings: settings(input.settings ?? {}),
  });

const one = (
  intercom: string,
  salesforce: string,
  direction: Direction,
  extra: Record<string, unknown> = {},
): SettingsInput => ({
  mappings: { Contact: [{ intercom, salesforce, direction, ...extra }] },
});

const sfContact = (fields: Record<string, unknown>, extra: Partial<SalesforcePerson> = {}) =>
  person({ id: '0031', type: 'Contact', fields, ...extra });

const changes = (plan: PersonPlan) => ({
  salesforce: plan.salesforceUpdates.map((c) => [c.field, c.old, c.new]),
  intercom: plan.intercomUpdates.map((c) => [c.field, c.old, c.new]),
  skips: plan.skips.map((s) => s.reason),
});

/** What a side looks like once Tandem's writes landed. */
function applied(p: PersonPlan, ic: IntercomContact, sf: SalesforcePerson) {
  const customAttributes = { ...ic.customAttributes };
  for (const change of p.intercomUpdates) {
    customAttributes[change.field.replace('custom_attributes.', '')] = change.new;
  }
  const fields = { ...sf.fields };
  for (const change of p.salesforceUpdates) fields[change.field] = change.new;
  return { intercom: { ...ic, customAttributes }, salesforce: { ...sf, fields } };
}

suite('Lead creation', () => {
  it('creates a Lead for a new Intercom lead with its mapped fields', () => {
    const result = plan({
      intercom: contact({ role: 'lead', companies: [{ id: 'co1', name: 'Analytical Engines' }] }),
    });
    assert.deepEqual(result.createLead?.fields, {
      LastName: 'Ada Lovelace',
      Company: 'Analytical Engines',
      Email: 'ada@example.com',
    });
    assert.deepEqual(result.createLead?.fallbacks, []);
  });

  it("takes LastName from the email's local part when the person has no name", () => {
    const result = plan({ intercom: contact({ name: null, email: 'grace.hopper@example.com' }) });
    assert.equal(result.createLead?.fields['LastName'], 'grace.hopper');
    assert.deepEqual(
      result.createLead?.fallbacks.find((f) => f.field === 'LastName'),
      {
        field: 'LastName',
        source: 'email_local_part',
      },
    );
  });

  it('fills Company with the placeholder setting when the person has no Intercom company', () => {
    const result = plan({ settings: { leadCreation: { companyPlaceholder: 'Unknown Co' } } });
    assert.equal(result.createLead?.fields['Company'], 'Unknown Co');
    assert.ok(
      result.createLead?.fallbacks.some((f) => f.field === 'Company' && f.source === 'placeholder'),
    );
  });

  it('writes the user_id into the identifier field and the Intercom id into the external-ID field', () => {
    const result = plan({
      settings: {
        matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
        externalIdField: 'Intercom_Id__c',
      },
      intercom: contact({ id: 'ic-42', externalId: 'abc123' }),
    });
    assert.equal(result.createLead?.fields['Customer_Number__c'], 'abc123');
    assert.equal(result.createLead?.fields['Intercom_Id__c'], 'ic-42');
  });

  it('converts mapped values into Salesforce types on create', () => {
    const result = plan({
      settings: {
        mappings: {
          Lead: [
            {
              intercom: 'custom_attributes.trial_start',
              salesforce: 'Trial_Start__c',
              direction: 'to_salesforce',
            },
            {
              intercom: 'custom_attributes.seats',
              salesforce: 'NumberOfEmployees',
              direction: 'both',
            },
          ],
        },
      },
      intercom: contact({ customAttributes: { trial_start: 1_769_860_800, seats: '12' } }),
    });
    assert.equal(result.createLead?.fields['Trial_Start__c'], '2026-01-31');
    assert.equal(result.createLead?.fields['NumberOfEmployees'], 12);
  });

  it('leaves out a value a restricted picklist would reject, and says so', () => {
    const result = plan({
      settings: {
        mappings: {
          Lead: [
            {
              intercom: 'custom_attributes.plan',
              salesforce: 'Rating',
              direction: 'to_salesforce',
            },
          ],
        },
      },
      intercom: contact({ customAttributes: { plan: 'Lukewarm' } }),
    });
    assert.equal(result.createLead?.fields['Rating'], undefined);
    assert.deepEqual(
      result.skips.map((s) => s.reason),
      ['picklist_value_rejected'],
    );
  });

  const thresholdRows: [string, SettingsInput, IntercomContact, string][] = [
    [
      'skips a person without an email (threshold: has email)',
      {},
      contact({ email: null }),
      'no_email',
    ],
    [
      'skips a role the threshold does not allow',
      { leadCreation: { threshold: { roles: ['user'] } } },
      contact({ role: 'lead' }),
      'role_not_allowed',
    ],
    [
      'skips a person without any of the threshold tags',
      { leadCreation: { threshold: { tagsAny: ['qualified'] } } },
      contact({ tags: ['newsletter'] }),
      'missing_tag',
    ],
    [
      'skips a person failing an attribute condition of the threshold',
      {
        leadCreation: {
          threshold: {
            conditions: [
              { attribute: 'custom_attributes.seats', operator: 'greater_than', value: 5 },
            ],
          },
        },
      },
      contact({ customAttributes: { seats: 3 } }),
      'condition_not_met',
    ],
  ];
  for (const [name, input, person, failure] of thresholdRows) {
    it(name, () => {
      const result = plan({ settings: input, intercom: person });
      assert.equal(result.createLead, null);
      assert.equal(result.skips[0]?.reason, 'threshold');
      assert.match(result.skips[0]?.detail ?? '', new RegExp(`^${failure}:`));
    });
  }

  it('creates a Lead for a person who meets every part of the threshold', () => {
    const result = plan({
      settings: {
        leadCreation: {
          threshold: {
            roles: ['lead'],
            tagsAny: ['Qualified'],
            conditions: [
              { attribute: 'custom_attributes.seats', operator: 'greater_than', value: 5 },
            ],
          },
        },
      },
      intercom: contact({ role: 'lead', tags: ['qualified'], customAttributes: { seats: 10 } }),
    });
    assert.notEqual(result.createLead, null);
  });

  it('creates no Lead when Lead creation is off', () => {
    const result = plan({ settings: { leadCreation: { enabled: false } } });
    assert.equal(result.createLead, null);
    assert.deepEqual(changes(result).skips, ['lead_creation_disabled']);
  });

  it('creates no Lead when matching by identifier without the email fallback (seed 004)', () => {
    const result = plan({
      settings: {
        matching: {
          mode: 'identifier',
          identifierField: 'Customer_Number__c',
          emailFallback: false,
        },
      },
      intercom: contact({ externalId: 'abc123' }),
    });
    assert.equal(result.createLead, null);
    assert.deepEqual(changes(result).skips, ['not_matchable']);
  });

  it('creates nothing in Intercom for an unmatched Salesforce record', () => {
    const result = plan({ intercom: null, salesforce: person(), trigger: 'salesforce' });
    assert.equal(result.createLead, null);
    assert.deepEqual(changes(result).skips, ['no_counterpart']);
  });
});

suite('directions and skip options', () => {
  it('writes an Intercom value to Salesforce for a to_salesforce mapping, with old and new values', () => {
    const result = plan({
      settings: one('custom_attributes.title', 'Title', 'to_salesforce'),
      intercom: contact({ customAttributes: { title: 'CEO' } }),
      salesforce: sfContact({ Title: 'CTO' }),
    });
    assert.deepEqual(changes(result), {
      salesforce: [['Title', 'CTO', 'CEO']],
      intercom: [],
      skips: [],
    });
  });

  it('writes a Salesforce value to Intercom for a to_intercom mapping', () => {
    const result = plan({
      settings: one('custom_attributes.title', 'Title', 'to_intercom'),
      intercom: contact({ customAttributes: { title: 'CEO' } }),
      salesforce: sfContact({ Title: 'CTO' }),
      trigger: 'salesforce',
    });
    assert.deepEqual(changes(result), {
      salesforce: [],
      intercom: [['custom_attributes.title', 'CEO', 'CTO']],
      skips: [],
    });
  });

  it('skips when the source is empty and "skip if the source is empty" is set', () => {
    const result = plan({
      settings: one('custom_attributes.title', 'Title', 'to_salesforce', {
        skipIfSourceEmpty: true,
      }),
      intercom: contact(),
      salesforce: sfContact({ Title: 'CTO' }),
    });
    assert.deepEqual(changes(result), { salesforce: [], intercom: [], skips: ['source_empty'] });
  });

  it('clears the destination when the source is empty and the option is not set', () => {
    const result = plan({
      settings: one('custom_attributes.title', 'Title', 'to_salesforce'),
      intercom: contact(),
      salesforce: sfContact({ Title: 'CTO' }),
    });
    assert.deepEqual(changes(result).salesforce, [['Title', 'CTO', null]]);
  });

  it('skips when the destination has a value and "skip if the destination already has a value" is set', () => {
    const result = plan({
      settings: one('custom_attributes.title', 'Title', 'to_intercom', {
        skipIfDestinationHasValue: true,
      }),
      intercom: contact({ customAttributes: { title: 'CEO' } }),
      salesforce: sfContact({ Title: 'CTO' }),
    });
    assert.deepEqual(changes(result), {
      salesforce: [],
      intercom: [],
      skips: ['destination_has_value'],
    });
  });

  it('fills an empty destination even when "skip if the destination already has a value" is set', () => {
    const result = plan({
      settings: one('custom_attributes.title', 'Title', 'to_intercom', {
        skipIfDestinationHasValue: true,
      }),
      intercom: contact(),
      salesforce: sfContact({ Title: 'CTO' }),
    });
    assert.deepEqual(changes(result).intercom, [['custom_attributes.title', null, 'CTO']]);
  });

  it('reports no change when both sides already agree', () => {
    const result = plan({
      settings: one('custom_attributes.title', 'Title', 'both'),
      intercom: contact({ customAttributes: { title: 'CEO' } }),
      salesforce: sfContact({ Title: 'CEO' }),
    });
    assert.deepEqual(changes(result), { salesforce: [], intercom: [], skips: ['no_change'] });
  });

  it('never blanks a required field: an emptied name gives LastName its fallback', () => {
    const result = plan({
      settings: {
        mappings: {
          Contact: [{ intercom: 'name', salesforce: 'LastName', direction: 'to_salesforce' }],
        },
      },
      intercom: contact({ name: null, email: 'ada@example.com' }),
      salesforce: sfContact({ LastName: 'Lovelace' }),
    });
    assert.deepEqual(changes(result).salesforce, [['LastName', 'Lovelace', 'ada']]);
    assert.equal(result.salesforceUpdates[0]?.fallback, 'email_local_part');
  });

  it('does not update a converted Lead', () => {
    const result = plan({ salesforce: person({ isConverted: true, convertedContactId: '0035' }) });
    assert.deepEqual(changes(result), { salesforce: [], intercom: [], skips: ['converted_lead'] });
  });

  it('skips an invalid mapping and still syncs the others', () => {
    const result = plan({
      settings: {
        mappings: {
          Contact: [
            {
              intercom: 'custom_attributes.missing',
              salesforce: 'Title',
              direction: 'to_salesforce',
            },
            { intercom: 'phone', salesforce: 'Phone', direction: 'to_salesforce' },
          ],
        },
      },
      intercom: contact({ phone: '+44 20 7946 0000' }),
      salesforce: sfContact({}),
    });
    assert.deepEqual(changes(result), {
      salesforce: [['Phone', null, '+44 20 7946 0000']],
      intercom: [],
      skips: ['mapping_invalid'],
    });
  });
});

suite('both-ways mappings and conflicts', () => {
  const both = (policy: string) =>
    one('custom_attributes.title', 'Title', 'both', { conflictPolicy: policy });
  const agreed = { baseline: { Title: 'CEO' }, intercom: null, salesforce: null };

  it('sends an Intercom-only change to Salesforce', () => {
    const result = plan({
      settings: both('latest'),
      intercom: contact({ customAttributes: { title: 'CTO' } }),
      salesforce: sfContact({ Title: 'CEO' }),
      state: agreed,
    });
    assert.deepEqual(changes(result), {
      salesforce: [['Title', 'CEO', 'CTO']],
      intercom: [],
      skips: [],
    });
    assert.deepEqual(result.conflicts, []);
  });

  it('sends a Salesforce-only change to Intercom', () => {
    const result = plan({
      settings: both('intercom_wins'),
      intercom: contact({ customAttributes: { title: 'CEO' } }),
      salesforce: sfContact({ Title: 'CFO' }),
      state: agreed,
    });
    assert.deepEqual(changes(result).intercom, [['custom_attributes.title', 'CEO', 'CFO']]);
    assert.deepEqual(result.conflicts, []);
  });

  const conflictRows: [string, string, number, string, 'intercom' | 'salesforce', string][] = [
    [
      'lets Salesforce win a conflict under salesforce_wins',
      'salesforce_wins',
      1_800_000_000,
      '2026-01-01T00:00:00Z',
      'salesforce',
      'salesforce_wins',
    ],
    [
      'lets Intercom win a conflict under intercom_wins',
      'intercom_wins',
      1_000,
      '2026-01-01T00:00:00Z',
      'intercom',
      'intercom_wins',
    ],
    [
      'lets the more recent Intercom change win under latest',
      'latest',
      1_767_312_000,
      '2026-01-01T00:00:00.000+0000',
      'intercom',
      'latest',
    ],
    [
      'lets the more recent Salesforce change win under latest',
      'latest',
      1_767_225_600,
      '2026-01-02T00:00:00.000+0000',
      'salesforce',
      'latest',
    ],
    [
      'gives a tie under latest to Salesforce',
      'latest',
      1_767_225_600,
      '2026-01-01T00:00:00.000+0000',
      'salesforce',
      'latest_tie_salesforce',
    ],
  ];
  for (const [name, policy, intercomUpdated, salesforceModified, winner, rule] of conflictRows) {
    it(name, () => {
      const result = plan({
        settings: both(policy),
        intercom: contact({ updatedAt: intercomUpdated, customAttributes: { title: 'CTO' } }),
        salesforce: sfContact({ Title: 'CFO' }, { lastModifiedDate: salesforceModified }),
        state: agreed,
      });
      assert.deepEqual(
        result.conflicts.map((c) => ({
          i: c.intercomValue,
          s: c.salesforceValue,
          winner: c.winner,
          rule: c.rule,
        })),
        [{ i: 'CTO', s: 'CFO', winner, rule }],
      );
      const { salesforce, intercom } = changes(result);
      if (winner === 'intercom') assert.deepEqual(salesforce, [['Title', 'CFO', 'CTO']]);
      else assert.deepEqual(intercom, [['custom_attributes.title', 'CTO', 'CFO']]);
    });
  }

  it('fills the empty side on the first sync without calling it a conflict', () => {
    const result = plan({
      settings: both('salesforce_wins'),
      intercom: contact({ customAttributes: { title: 'CTO' } }),
      salesforce: sfContact({}),
    });
    assert.deepEqual(changes(result).salesforce, [['Title', null, 'CTO']]);
    assert.deepEqual(result.conflicts, []);
  });

  it('treats two different values on the first sync as a conflict', () => {
    const result = plan({
      settings: both('salesforce_wins'),
      intercom: contact({ customAttributes: { title: 'CTO' } }),
      salesforce: sfContact({ Title: 'CFO' }),
    });
    assert.equal(result.conflicts.length, 1);
    assert.deepEqual(changes(result).intercom, [['custom_attributes.title', 'CTO', 'CFO']]);
  });

  it('applies skip options to the winner of a conflict', () => {
    const result = plan({
      settings: one('custom_attributes.title', 'Title', 'both', {
        conflictPolicy: 'intercom_wins',
        skipIfDestinationHasValue: true,
      }),
      intercom: contact({ customAttributes: { title: 'CTO' } }),
      salesforce: sfContact({ Title: 'CFO' }),
      state: agreed,
    });
    assert.equal(result.conflicts.length, 1);
    assert.deepEqual(changes(result), {
      salesforce: [],
      intercom: [],
      skips: ['destination_has_value'],
    });
  });
});

suite('echo detection', () => {
  const mapping = one('custom_attributes.title', 'Title', 'both');
  const ic = contact({ customAttributes: { title: 'CEO' } });
  const sf = sfContact({ Title: 'CTO' });
  const first = plan({
    settings: mapping,
    intercom: ic,
    salesforce: sf,
    state: { baseline: { Title: 'CTO' }, intercom: null, salesforce: null },
  });
  const after = applied(first, ic, sf);

  it('writes a change once', () => {
    assert.deepEqual(changes(first).salesforce, [['Title', 'CTO', 'CEO']]);
  });

  it('skips the change event of its own write as an echo', () => {
    const echo = plan({
      settings: mapping,
      ...after,
      state: first.nextState,
      trigger: 'salesforce',
    });
    assert.deepEqual(changes(echo), { salesforce: [], intercom: [], skips: ['echo'] });
  });

  it('syncs a later real edit on the side it wrote', () => {
    const edited = { ...after.salesforce, fields: { Title: 'COO' } };
    const next = plan({
      settings: mapping,
      intercom: after.intercom,
      salesforce: edited,
      state: first.nextState,
      trigger: 'salesforce',
    });
    assert.deepEqual(changes(next).intercom, [['custom_attributes.title', 'CEO', 'COO']]);
  });

  it('syncs an edit back to an earlier value (not an echo)', () => {
    const sync = plan({
      settings: mapping,
      ...after,
      state: first.nextState,
      trigger: 'reconcile',
    });
    const reverted = { ...after.intercom, customAttributes: { title: 'CTO' } };
    const next = plan({
      settings: mapping,
      intercom: reverted,
      salesforce: after.salesforce,
      state: sync.nextState,
      trigger: 'intercom',
    });
    assert.deepEqual(changes(next).salesforce, [['Title', 'CEO', 'CTO']]);
  });

  it('calls an unchanged side "no change", not an echo, when Tandem did not write it', () => {
    const echoFromIntercom = plan({
      settings: mapping,
      ...after,
      state: first.nextState,
      trigger: 'intercom',
    });
    assert.deepEqual(changes(echoFromIntercom).skips, ['no_change']);
  });

  it('hashes the mapped values the same way however the record orders its fields', () => {
    const a = plan({
      settings: {
        mappings: {
          Contact: [
            { intercom: 'custom_attributes.title', salesforce: 'Title', direction: 'both' },
            { intercom: 'phone', salesforce: 'Phone', direction: 'both' },
          ],
        },
      },
      intercom: contact({ phone: '1', customAttributes: { title: 'A' } }),
      salesforce: sfContact({ Title: 'A', Phone: '1' }),
    });
    const b = plan({
      settings: {
        mappings: {
          Contact: [
            { intercom: 'custom_attributes.title', salesforce: 'Title', direction: 'both' },
            { intercom: 'phone', salesforce: 'Phone', direction: 'both' },
          ],
        },
      },
      intercom: contact({ phone: '1', customAttributes: { title: 'A' } }),
      salesforce: sfContact({ Phone: '1', Title: 'A' }),
    });
    assert.equal(a.nextState?.salesforce?.hash, b.nextState?.salesforce?.hash);
    assert.match(a.nextState?.salesforce?.hash ?? '', /^[0-9a-f]{64}$/);
  });
});

suite('value conversion while planning', () => {
  it('sends an Intercom date (UNIX seconds) to a Salesforce datetime', () => {
    const result = plan({
      settings: one('custom_attributes.trial_start', 'Signed_Up__c', 'to_salesforce'),
      intercom: contact({ customAttributes: { trial_start: 1_769_860_800 } }),
      salesforce: sfContact({}),
    });
    assert.deepEqual(changes(result).salesforce, [
      ['Signed_Up__c', null, '2026-01-31T12:00:00.000Z'],
    ]);
  });

  it('reads a Salesforce datetime into an Intercom date as UNIX seconds', () => {
    const result = plan({
      settings: one('custom_attributes.trial_start', 'Signed_Up__c', 'to_intercom'),
      salesforce: sfContact({ Signed_Up__c: '2026-01-31T12:00:00.000+0000' }),
    });
    assert.deepEqual(changes(result).intercom, [
      ['custom_attributes.trial_start', null, 1_769_860_800],
    ]);
  });

  it('does not ping-pong a date-time into a Salesforce date field', () => {
    const result = plan({
      settings: one('custom_attributes.trial_start', 'Trial_Start__c', 'both'),
      intercom: contact({ customAttributes: { trial_start: 1_769_870_000 } }),
      salesforce: sfContact({ Trial_Start__c: '2026-01-31' }),
    });
    assert.deepEqual(changes(result).skips, ['no_change']);
  });

  it('syncs a Reference field to Intercom as its record ID', () => {
    const result = plan({
      settings: one('custom_attributes.sf_owner', 'OwnerId', 'to_intercom'),
      salesforce: sfContact({ OwnerId: '005000000000001AAA' }),
    });
    assert.deepEqual(changes(result).intercom, [
      ['custom_attributes.sf_owner', null, '005000000000001AAA'],
    ]);
  });

  it('treats a multi-select picklist in another order as unchanged', () => {
    const result = plan({
      settings: one('custom_attributes.interests', 'Interests__c', 'both'),
      intercom: contact({ customAttributes: { interests: 'Support;Billing' } }),
      salesforce: sfContact({ Interests__c: 'Billing;Support' }),
    });
    assert.deepEqual(changes(result).skips, ['no_change']);
  });

  it('sends an Intercom boolean to a Salesforce checkbox and a decimal to a number', () => {
    const result = plan({
      settings: {
        mappings: {
          Contact: [
            {
              intercom: 'custom_attributes.newsletter',
              salesforce: 'Newsletter__c',
              direction: 'to_salesforce',
            },
            {
              intercom: 'custom_attributes.score',
              salesforce: 'Score__c',
              direction: 'to_salesforce',
            },
          ],
        },
      },
      intercom: contact({ customAttributes: { newsletter: true, score: 4.5 } }),
      salesforce: sfContact({ Newsletter__c: false, Score__c: 4.5 }),
    });
    assert.deepEqual(changes(result).salesforce, [['Newsletter__c', false, true]]);
  });

  it('skips a value that cannot be converted', () => {
    const bad = plan({
      settings: one('custom_attributes.seats', 'Score__c', 'to_salesforce'),
      intercom: contact({ customAttributes: { seats: 'many' } }),
      salesforce: sfContact({}),
    });
    assert.deepEqual(changes(bad).skips, ['unconvertible']);
  });
});

suite('after creating a Lead', () => {
  it('skips the new Lead’s own change event as an echo', () => {
    const ic = contact({ role: 'lead', companies: [{ id: 'co1', name: 'Analytical Engines' }] });
    const created = plan({ intercom: ic });
    const lead = person({ id: '00Q9', fields: { ...created.createLead?.fields } });
    const next = plan({
      intercom: ic,
      salesforce: lead,
      state: created.nextState,
      trigger: 'salesforce',
    });
    assert.deepEqual(changes(next), { salesforce: [], intercom: [], skips: ['echo'] });
  });

  it('syncs a later edit of the new Lead back to Intercom', () => {
    const ic = contact({ role: 'lead' });
    const input: SettingsInput = {
      mappings: {
        Lead: [{ intercom: 'custom_attributes.title', salesforce: 'Title', direction: 'both' }],
      },
    };
    const created = plan({ settings: input, intercom: ic });
    const lead = person({ id: '00Q9', fields: { ...created.createLead?.fields, Title: 'VP' } });
    const next = plan({
      settings: input,
      intercom: ic,
      salesforce: lead,
      state: created.nextState,
      trigger: 'salesforce',
    });
    assert.deepEqual(changes(next).intercom, [['custom_attributes.title', null, 'VP']]);
    assert.deepEqual(next.conflicts, []);
  });
});
