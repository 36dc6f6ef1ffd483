import assert from 'node:assert/strict';
import { describe as suite, it } from 'node:test';
import { planPersonSync, type IntercomContact, type SalesforcePerson } from '../core/index.ts';
import {
  attributes,
  contact,
  describe,
  person,
  settings as parsedSettings,
} from '../core/test-fixtures.ts';
import { noteWrites, recoverState } from './person-apply.ts';

const settings = parsedSettings({
  mappings: {
    Contact: [
      {
        intercom: 'custom_attributes.interests',
        salesforce: 'Title',
        direction: 'both',
        conflictPolicy: 'latest',
      },
      { intercom: 'phone', salesforce: 'Phone', direction: 'to_intercom' },
    ],
  },
});

const plan = (
  intercom: IntercomContact,
  salesforce: SalesforcePerson,
  state: Parameters<typeof recoverState>[0],
) =>
  planPersonSync({
    settings,
    describe,
    intercomAttributes: attributes,
    intercom,
    salesforce,
    state,
    trigger: 'intercom',
  });

const changes = (p: ReturnType<typeof plan>) => ({
  salesforce: p.salesforceUpdates.map((c) => [c.field, c.new]),
  intercom: p.intercomUpdates.map((c) => [c.field, c.new]),
  conflicts: p.conflicts.length,
});

suite('recovering the noted writes of a run that did not finish', () => {
  // A new pair: Intercom has "ANZ", Salesforce has a phone. The first run writes "ANZ" to
  // Salesforce and the phone to Intercom; Salesforce took its write, Intercom's never happened.
  const first = {
    intercom: contact({ customAttributes: { interests: 'ANZ' }, updatedAt: 1_767_225_600 }),
    salesforce: person({
      type: 'Contact',
      fields: { Title: null, Phone: '+1 555 7683' },
      lastModifiedDate: '2026-01-01T00:00:00.000+0000',
    }),
  };
  const firstPlan = plan(first.intercom, first.salesforce, null);
  const noted = noteWrites(null, firstPlan, firstPlan.nextState!);

  it('plans the first run as a write each way', () => {
    assert.deepEqual(changes(firstPlan), {
      salesforce: [['Title', 'ANZ']],
      intercom: [['phone', '+1 555 7683']],
      conflicts: 0,
    });
  });

  it('keeps a landed write as agreed and plans the missing one again', () => {
    const salesforceAfter = person({
      ...first.salesforce,
      fields: { Title: 'ANZ', Phone: '+1 555 7683' },
      lastModifiedDate: '2026-01-01T00:00:00.900+0000',
    });
    const state = recoverState(noted, first.intercom, salesforceAfter);
    assert.equal(state?.baseline['Title'], 'ANZ');
    assert.equal(Object.hasOwn(state?.baseline ?? {}, 'Phone'), false);
    assert.deepEqual(changes(plan(first.intercom, salesforceAfter, state)), {
      salesforce: [],
      intercom: [['phone', '+1 555 7683']],
      conflicts: 0,
    });
  });

  it('carries an Intercom edit made meanwhile over the value Tandem wrote, with no conflict', () => {
    // The Intercom edit is dated earlier than Tandem's Salesforce write (Intercom counts whole
    // seconds): a conflict decided by "latest" would put the old value back on both sides.
    const salesforceAfter = person({
      ...first.salesforce,
      fields: { Title: 'ANZ', Phone: '+1 555 7683' },
      lastModifiedDate: '2026-01-01T00:00:01.600+0000',
    });
    const edited = contact({ customAttributes: { interests: 'EMEA' }, updatedAt: 1_767_225_601 });
    const state = recoverState(noted, edited, salesforceAfter);
    assert.deepEqual(changes(plan(edited, salesforceAfter, state)), {
      salesforce: [['Title', 'EMEA']],
      intercom: [['phone', '+1 555 7683']],
      conflicts: 0,
    });
  });

  it('plans from the state before the run when none of its writes landed', () => {
    assert.equal(recoverState(noted, first.intercom, first.salesforce), null);
  });

  it('plans from the next state when all of its writes landed', () => {
    const both = recoverState(
      noted,
      contact({ ...first.intercom, phone: '+1 555 7683' }),
      person({ ...first.salesforce, fields: { Title: 'ANZ', Phone: '+1 555 7683' } }),
    );
    assert.deepEqual(both, firstPlan.nextState);
  });
});
