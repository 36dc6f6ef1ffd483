import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  identifierSettingChanged,
  onDeleted,
  onIntercomContactReplaced,
  onIntercomEmailChanged,
  onSalesforceLeadConverted,
  onSalesforceMerged,
  type IdentityLink,
} from './links.ts';
import { person, settings } from './test-fixtures.ts';

const leadLink: IdentityLink = { intercomId: 'ic-1', salesforceId: '00Q1', salesforceType: 'Lead' };
const contactLink: IdentityLink = {
  intercomId: 'ic-1',
  salesforceId: '0031',
  salesforceType: 'Contact',
};

describe('email change (seed 004)', () => {
  it('re-maps a Lead link to another Lead with the new email', () => {
    const decision = onIntercomEmailChanged({
      link: leadLink,
      newEmail: 'new@example.com',
      candidates: [
        person({ id: '00Q2', email: 'new@example.com', lastModifiedDate: '2026-01-01T00:00:00Z' }),
        person({ id: '00Q3', email: 'NEW@example.com', lastModifiedDate: '2026-02-01T00:00:00Z' }),
      ],
    });
    assert.equal(decision.action, 'move');
    assert.equal(decision.action === 'move' && decision.to.salesforceId, '00Q3');
    assert.equal(decision.reason, 'email_changed_remapped_lead');
  });

  it('keeps the Lead link when no other Lead has the new email', () => {
    const decision = onIntercomEmailChanged({
      link: leadLink,
      newEmail: 'new@example.com',
      candidates: [
        person({ id: '00Q1', email: 'new@example.com' }),
        person({ id: '0039', type: 'Contact', email: 'new@example.com' }),
        person({
          id: '00Q4',
          email: 'new@example.com',
          isConverted: true,
          convertedContactId: '0038',
        }),
      ],
    });
    assert.deepEqual(decision, {
      action: 'keep',
      link: leadLink,
      reason: 'email_changed_no_other_lead',
    });
  });

  it('keeps a Contact link whatever the new email', () => {
    const decision = onIntercomEmailChanged({
      link: contactLink,
      newEmail: 'new@example.com',
      candidates: [person({ id: '00Q2', email: 'new@example.com' })],
    });
    assert.equal(decision.action, 'keep');
    assert.equal(decision.reason, 'email_changed_contact_kept');
  });

  it('does not re-map to a Lead already linked to someone else', () => {
    const decision = onIntercomEmailChanged({
      link: leadLink,
      newEmail: 'new@example.com',
      candidates: [person({ id: '00Q2', email: 'new@example.com' })],
      linkedSalesforceIds: new Set(['00Q2']),
    });
    assert.equal(decision.action, 'keep');
  });
});

describe('identifier setting change (seed 004)', () => {
  const email = settings().matching;
  const number = settings({
    matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
  }).matching;
  const other = settings({
    matching: { mode: 'identifier', identifierField: 'Intercom_Key__c' },
  }).matching;
  const rows: [string, typeof email, typeof email, boolean][] = [
    ['drops every link when the identifier field changes', number, other, true],
    ['drops every link when matching moves from email to an identifier', email, number, true],
    ['drops every link when matching moves from an identifier to email', number, email, true],
    ['keeps links when the identifier stays the same', number, { ...number }, false],
    [
      'keeps links when only the email fallback is toggled',
      number,
      { ...number, emailFallback: false },
      false,
    ],
  ];
  for (const [name, previous, next, drop] of rows) {
    it(name, () => {
      const decision = identifierSettingChanged(previous, next);
      assert.equal(decision.dropAllLinks, drop);
      assert.equal(
        decision.reason,
        drop ? 'identifier_setting_changed' : 'identifier_setting_unchanged',
      );
    });
  }
});

describe('conversion, sign-up and merges', () => {
  it('moves a converted Lead link to its ConvertedContactId', () => {
    const decision = onSalesforceLeadConverted({
      link: leadLink,
      lead: person({ id: '00Q1', isConverted: true, convertedContactId: '0035' }),
    });
    assert.deepEqual(decision, {
      action: 'move',
      from: leadLink,
      to: { intercomId: 'ic-1', salesforceId: '0035', salesforceType: 'Contact' },
      reason: 'lead_converted',
    });
  });

  it('drops a converted Lead link when its Contact is already linked to someone else', () => {
    const decision = onSalesforceLeadConverted({
      link: leadLink,
      lead: person({ id: '00Q1', isConverted: true, convertedContactId: '0035' }),
      contactLinkedTo: 'ic-9',
    });
    assert.equal(decision.action, 'drop');
    assert.equal(decision.reason, 'target_already_linked');
  });

  it('keeps the link of a Lead that is not converted', () => {
    const decision = onSalesforceLeadConverted({ link: leadLink, lead: person({ id: '00Q1' }) });
    assert.equal(decision.action, 'keep');
  });

  it('moves the link of an Intercom lead that signed up to the user', () => {
    const decision = onIntercomContactReplaced({
      link: leadLink,
      survivorId: 'user-7',
      cause: 'signed_up',
    });
    assert.equal(decision.action === 'move' && decision.to.intercomId, 'user-7');
    assert.equal(decision.reason, 'intercom_lead_signed_up');
  });

  it('moves the link of an Intercom lead merged into a user', () => {
    const decision = onIntercomContactReplaced({
      link: leadLink,
      survivorId: 'user-7',
      cause: 'merged',
    });
    assert.equal(decision.action === 'move' && decision.to.intercomId, 'user-7');
    assert.equal(decision.reason, 'intercom_contact_merged');
  });

  it('drops the merged lead link when the user already has its own link', () => {
    const decision = onIntercomContactReplaced({
      link: leadLink,
      survivorId: 'user-7',
      cause: 'merged',
      survivorLinkedTo: '0032',
    });
    assert.equal(decision.action, 'drop');
  });

  it('moves links to the master record after a Salesforce merge', () => {
    const decision = onSalesforceMerged({
      link: contactLink,
      masterId: '0030',
      masterType: 'Contact',
    });
    assert.equal(decision.action === 'move' && decision.to.salesforceId, '0030');
    assert.equal(decision.reason, 'salesforce_merged');
  });
});

describe('deletion', () => {
  const rows: [
    string,
    'intercom' | 'salesforce',
    'never' | 'to_salesforce' | 'to_intercom' | 'both',
    string | null,
  ][] = [
    [
      'removes the link of a person deleted in Intercom and deletes nothing by default',
      'intercom',
      'never',
      null,
    ],
    [
      'removes the link of a record deleted in Salesforce and deletes nothing by default',
      'salesforce',
      'never',
      null,
    ],
    [
      'deletes the Salesforce record when the setting repeats Intercom deletions',
      'intercom',
      'to_salesforce',
      'salesforce:0031',
    ],
    [
      'deletes the Intercom person when the setting repeats Salesforce deletions',
      'salesforce',
      'both',
      'intercom:ic-1',
    ],
    [
      'does not repeat a Salesforce deletion when only Intercom deletions are repeated',
      'salesforce',
      'to_salesforce',
      null,
    ],
  ];
  for (const [name, deletedIn, deleteOtherSide, expected] of rows) {
    it(name, () => {
      const decision = onDeleted({ link: contactLink, deletedIn, deleteOtherSide });
      assert.equal(decision.action, 'drop');
      assert.equal(decision.reason, `${deletedIn}_deleted`);
      const other = decision.action === 'drop' ? decision.deleteOnOtherSide : undefined;
      assert.equal(other ? `${other.system}:${other.id}` : null, expected);
    });
  }
});
