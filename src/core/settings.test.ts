import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettings } from './settings.ts';
import { evaluateCondition } from './threshold.ts';
import { contact } from './test-fixtures.ts';

describe('people-sync settings', () => {
  it('defaults to email matching with the fallback on, Lead creation on and required Lead fields mapped', () => {
    const result = parseSettings(undefined);
    assert.ok(result.ok);
    const { settings } = result;
    assert.deepEqual(settings.matching, {
      mode: 'email',
      identifierField: null,
      emailFallback: true,
    });
    assert.equal(settings.leadCreation.enabled, true);
    assert.deepEqual(
      settings.mappings.Lead.map((m) => m.salesforce),
      ['LastName', 'Company', 'Email'],
    );
    assert.equal(settings.deleteOtherSide, 'never');
    assert.equal(settings.mappings.Lead[0]?.conflictPolicy, 'latest');
  });

  it('adds back the required LastName and Company mappings a file left out', () => {
    const result = parseSettings({
      mappings: { Lead: [{ intercom: 'phone', salesforce: 'Phone', direction: 'both' }] },
    });
    assert.ok(result.ok);
    assert.deepEqual(
      result.settings.mappings.Lead.map((m) => m.salesforce),
      ['LastName', 'Company', 'Phone'],
    );
  });

  it('keeps a required mapping the file redefines instead of adding a second one', () => {
    const result = parseSettings({
      mappings: {
        Lead: [
          {
            intercom: 'custom_attributes.surname',
            salesforce: 'LastName',
            direction: 'to_salesforce',
          },
        ],
      },
    });
    assert.ok(result.ok);
    assert.deepEqual(
      result.settings.mappings.Lead.map((m) => `${m.intercom}>${m.salesforce}`),
      ['company.name>Company', 'custom_attributes.surname>LastName'],
    );
  });

  it('reports every problem at once with its path', () => {
    const result = parseSettings({
      matching: { mode: 'identifier' },
      mappings: {
        Contact: [{ intercom: 'email', direction: 'sideways', conflictPolicy: 'coin_flip' }],
      },
      leadCreation: {
        threshold: { roles: [], conditions: [{ attribute: 'plan', operator: 'equals' }] },
      },
      deleteOtherSide: 'always',
      extra: true,
    });
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'deleteOtherSide',
      'extra',
      'leadCreation.threshold.conditions[0].value',
      'leadCreation.threshold.roles',
      'mappings.Contact[0].conflictPolicy',
      'mappings.Contact[0].direction',
      'mappings.Contact[0].salesforce',
      'matching.identifierField',
    ]);
  });

  it('names the valid choices in a message', () => {
    const result = parseSettings({ deleteOtherSide: 'always' });
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? '' : (result.problems[0]?.message ?? ''),
      /never, to_salesforce, to_intercom, both/,
    );
  });
});

describe('threshold conditions', () => {
  const person = contact({ customAttributes: { plan: 'Pro', seats: 10 }, email: 'a@b.co' });
  const rows: [string, Parameters<typeof evaluateCondition>[1], boolean][] = [
    [
      'exists holds for a set attribute',
      { attribute: 'custom_attributes.plan', operator: 'exists' },
      true,
    ],
    [
      'exists fails for an unset attribute',
      { attribute: 'custom_attributes.nope', operator: 'exists' },
      false,
    ],
    [
      'not_exists holds for an unset attribute',
      { attribute: 'phone', operator: 'not_exists' },
      true,
    ],
    [
      'equals ignores case',
      { attribute: 'custom_attributes.plan', operator: 'equals', value: 'pro' },
      true,
    ],
    [
      'not_equals holds for another value',
      { attribute: 'custom_attributes.plan', operator: 'not_equals', value: 'Free' },
      true,
    ],
    [
      'contains finds a part of the text',
      { attribute: 'email', operator: 'contains', value: '@B.' },
      true,
    ],
    [
      'greater_than compares numbers',
      { attribute: 'custom_attributes.seats', operator: 'greater_than', value: 9 },
      true,
    ],
    [
      'less_than compares numbers',
      { attribute: 'custom_attributes.seats', operator: 'less_than', value: 10 },
      false,
    ],
    [
      'greater_than fails on an unset attribute',
      { attribute: 'custom_attributes.nope', operator: 'greater_than', value: -1 },
      false,
    ],
  ];
  for (const [name, condition, expected] of rows) {
    it(name, () => {
      assert.equal(evaluateCondition(person, condition), expected);
    });
  }
});
