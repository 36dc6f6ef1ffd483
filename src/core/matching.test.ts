import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseIntercomCandidate, chooseSalesforceCandidate } from './candidates.ts';
import { matchPerson, matchSalesforcePerson } from './matching.ts';
import { contact, person, settings } from './test-fixtures.ts';

const byEmail = settings().matching;
const byIdentifier = settings({
  matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
}).matching;
const identifierOnly = settings({
  matching: { mode: 'identifier', identifierField: 'Customer_Number__c', emailFallback: false },
}).matching;

const lead = (id: string, modified: string, extra: Parameters<typeof person>[0] = {}) =>
  person({ id, type: 'Lead', lastModifiedDate: modified, ...extra });
const sfContact = (id: string, modified: string, extra: Parameters<typeof person>[0] = {}) =>
  person({ id, type: 'Contact', lastModifiedDate: modified, ...extra });

describe('choosing among candidates (seed 004 priorities)', () => {
  it('prefers a Salesforce Contact over a Lead with the same email', () => {
    const choice = chooseSalesforceCandidate([
      lead('00Q1', '2026-03-01T00:00:00.000+0000'),
      sfContact('0031', '2026-01-01T00:00:00.000+0000'),
    ]);
    assert.equal(choice?.chosen.id, '0031');
    assert.equal(choice?.rule, 'contact_over_lead');
    assert.deepEqual(
      choice?.passedOver.map((p) => p.id),
      ['00Q1'],
    );
  });

  it('takes the most recently modified of two Salesforce Leads', () => {
    const choice = chooseSalesforceCandidate([
      lead('00Q1', '2026-01-01T00:00:00.000+0000'),
      lead('00Q2', '2026-02-01T00:00:00.000+0000'),
    ]);
    assert.equal(choice?.chosen.id, '00Q2');
    assert.equal(choice?.rule, 'most_recently_updated');
  });

  it('takes the most recently modified of two Salesforce Contacts, ignoring an even newer Lead', () => {
    const choice = chooseSalesforceCandidate([
      sfContact('0031', '2026-02-01T00:00:00.000+0000'),
      lead('00Q9', '2026-09-01T00:00:00.000+0000'),
      sfContact('0032', '2026-01-01T00:00:00.000+0000'),
    ]);
    assert.equal(choice?.chosen.id, '0031');
    assert.equal(choice?.rule, 'most_recently_updated');
  });

  it('prefers an Intercom user over a lead with the same email', () => {
    const choice = chooseIntercomCandidate([
      contact({ id: 'lead-1', role: 'lead', updatedAt: 2_000 }),
      contact({ id: 'user-1', role: 'user', updatedAt: 1_000 }),
    ]);
    assert.equal(choice?.chosen.id, 'user-1');
    assert.equal(choice?.rule, 'user_over_lead');
  });

  it('takes the most recently updated of two Intercom leads', () => {
    const choice = chooseIntercomCandidate([
      contact({ id: 'lead-1', role: 'lead', updatedAt: 1_000 }),
      contact({ id: 'lead-2', role: 'lead', updatedAt: 2_000 }),
    ]);
    assert.equal(choice?.chosen.id, 'lead-2');
  });

  it('takes the most recently updated of two Intercom users', () => {
    const choice = chooseIntercomCandidate([
      contact({ id: 'user-2', updatedAt: 3_000 }),
      contact({ id: 'user-1', updatedAt: 2_000 }),
    ]);
    assert.equal(choice?.chosen.id, 'user-2');
  });

  it('breaks a tie on the update time by the smaller id, whatever the input order', () => {
    const a = lead('00Q2', '2026-01-01T00:00:00.000+0000');
    const b = lead('00Q1', '2026-01-01T00:00:00.000+0000');
    assert.equal(chooseSalesforceCandidate([a, b])?.chosen.id, '00Q1');
    assert.equal(chooseSalesforceCandidate([b, a])?.chosen.id, '00Q1');
  });

  it('reports a single candidate as the only one', () => {
    assert.equal(
      chooseSalesforceCandidate([lead('00Q1', '2026-01-01T00:00:00Z')])?.rule,
      'only_candidate',
    );
    assert.equal(chooseSalesforceCandidate([]), undefined);
  });
});

describe('matching an Intercom person to Salesforce', () => {
  it('matches on the identifier before the email', () => {
    const byId = sfContact('0031', '2026-01-01T00:00:00Z', {
      email: 'other@example.com',
      fields: { Customer_Number__c: 'abc123' },
    });
    const byMail = sfContact('0032', '2026-05-01T00:00:00Z');
    const decision = matchPerson({
      contact: contact({ externalId: 'abc123' }),
      matching: byIdentifier,
      byIdentifier: [byId],
      byEmail: [byMail],
    });
    assert.equal(decision.kind, 'matched');
    assert.equal(decision.kind === 'matched' && decision.record.id, '0031');
    assert.equal(decision.kind === 'matched' && decision.reason, 'identifier');
  });

  it('falls back to the email for a person without a user_id', () => {
    const decision = matchPerson({
      contact: contact({ role: 'lead', externalId: null }),
      matching: byIdentifier,
      byIdentifier: [],
      byEmail: [lead('00Q1', '2026-01-01T00:00:00Z')],
    });
    assert.equal(decision.kind === 'matched' && decision.reason, 'email_fallback');
  });

  it('does not match by email when the fallback is off, and says a lead needs it', () => {
    const decision = matchPerson({
      contact: contact({ role: 'lead', externalId: null }),
      matching: identifierOnly,
      byIdentifier: [],
      byEmail: [lead('00Q1', '2026-01-01T00:00:00Z')],
    });
    assert.deepEqual(decision, { kind: 'unmatched', reason: 'lead_needs_email_fallback' });
  });

  it('does not match a user without a user_id when the fallback is off', () => {
    const decision = matchPerson({
      contact: contact({ role: 'user', externalId: null }),
      matching: identifierOnly,
      byIdentifier: [],
      byEmail: [lead('00Q1', '2026-01-01T00:00:00Z')],
    });
    assert.deepEqual(decision, { kind: 'unmatched', reason: 'no_identifier' });
  });

  it('falls back to the email only among records that hold no other identifier', () => {
    const claimed = sfContact('0031', '2026-05-01T00:00:00Z', {
      fields: { Customer_Number__c: 'zzz' },
    });
    const unclaimed = lead('00Q1', '2026-01-01T00:00:00Z');
    const decision = matchPerson({
      contact: contact({ externalId: 'abc123' }),
      matching: byIdentifier,
      byIdentifier: [],
      byEmail: [claimed, unclaimed],
    });
    assert.equal(decision.kind === 'matched' && decision.record.id, '00Q1');
  });

  it('matches by email alone in email mode, case-insensitively', () => {
    const decision = matchPerson({
      contact: contact({ email: 'Ada@Example.com', externalId: 'abc123' }),
      matching: byEmail,
      byIdentifier: [],
      byEmail: [lead('00Q1', '2026-01-01T00:00:00Z', { email: 'ada@example.COM' })],
    });
    assert.equal(decision.kind === 'matched' && decision.reason, 'email');
  });

  it('ignores query results whose email or identifier does not actually match', () => {
    const decision = matchPerson({
      contact: contact({ externalId: 'abc123' }),
      matching: byIdentifier,
      byIdentifier: [
        sfContact('0031', '2026-01-01T00:00:00Z', { fields: { Customer_Number__c: 'abc124' } }),
      ],
      byEmail: [lead('00Q1', '2026-01-01T00:00:00Z', { email: 'someone@example.com' })],
    });
    assert.deepEqual(decision, { kind: 'unmatched', reason: 'no_candidates' });
  });

  it('never matches a converted Lead or a record already linked to someone else', () => {
    const decision = matchPerson({
      contact: contact(),
      matching: byEmail,
      byIdentifier: [],
      byEmail: [
        lead('00Q1', '2026-03-01T00:00:00Z', { isConverted: true, convertedContactId: '0039' }),
        sfContact('0031', '2026-02-01T00:00:00Z'),
        lead('00Q2', '2026-01-01T00:00:00Z'),
      ],
      linkedSalesforceIds: new Set(['0031']),
    });
    assert.equal(decision.kind === 'matched' && decision.record.id, '00Q2');
  });

  it('reports the candidates passed over as duplicates', () => {
    const decision = matchPerson({
      contact: contact(),
      matching: byEmail,
      byIdentifier: [],
      byEmail: [lead('00Q1', '2026-01-01T00:00:00Z'), sfContact('0031', '2026-01-01T00:00:00Z')],
    });
    assert.equal(decision.kind === 'matched' && decision.rule, 'contact_over_lead');
    assert.deepEqual(decision.kind === 'matched' && decision.duplicates.map((d) => d.id), ['00Q1']);
  });

  it('cannot match a person without an email in email mode', () => {
    const decision = matchPerson({
      contact: contact({ email: null }),
      matching: byEmail,
      byIdentifier: [],
      byEmail: [],
    });
    assert.deepEqual(decision, { kind: 'unmatched', reason: 'no_email' });
  });
});

describe('matching a Salesforce person to Intercom', () => {
  it('matches the identifier field to the Intercom user_id', () => {
    const decision = matchSalesforcePerson({
      person: sfContact('0031', '2026-01-01T00:00:00Z', {
        fields: { Customer_Number__c: 'abc123' },
      }),
      matching: byIdentifier,
      byExternalId: [contact({ id: 'u1', externalId: 'abc123', email: 'x@example.com' })],
      byEmail: [contact({ id: 'u2' })],
    });
    assert.equal(decision.kind === 'matched' && decision.record.id, 'u1');
    assert.equal(decision.kind === 'matched' && decision.reason, 'identifier');
  });

  it('falls back to the email only for Intercom people without a user_id, preferring users', () => {
    const decision = matchSalesforcePerson({
      person: lead('00Q1', '2026-01-01T00:00:00Z'),
      matching: byIdentifier,
      byExternalId: [],
      byEmail: [
        contact({ id: 'other-user', externalId: 'zzz', updatedAt: 9_000 }),
        contact({ id: 'lead-1', role: 'lead', updatedAt: 5_000 }),
        contact({ id: 'user-1', role: 'user', updatedAt: 1_000 }),
      ],
    });
    assert.equal(decision.kind === 'matched' && decision.record.id, 'user-1');
    assert.equal(decision.kind === 'matched' && decision.reason, 'email_fallback');
  });

  it('does not match a converted Lead: its Contact carries the link', () => {
    const decision = matchSalesforcePerson({
      person: lead('00Q1', '2026-01-01T00:00:00Z', {
        isConverted: true,
        convertedContactId: '0031',
      }),
      matching: byEmail,
      byExternalId: [],
      byEmail: [contact()],
    });
    assert.deepEqual(decision, { kind: 'unmatched', reason: 'converted_lead' });
  });

  it('does not match by email when the fallback is off', () => {
    const decision = matchSalesforcePerson({
      person: lead('00Q1', '2026-01-01T00:00:00Z'),
      matching: identifierOnly,
      byExternalId: [],
      byEmail: [contact()],
    });
    assert.deepEqual(decision, { kind: 'unmatched', reason: 'no_identifier' });
  });
});
