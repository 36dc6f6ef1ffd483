import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { transact } from '../context.ts';
import { Org } from '../org.ts';
import { adminUserId, seedBase } from '../seed/base.ts';
import { tandemCustomisations } from '../seed/demo.ts';
import { applyCustomisations } from '../seed/spec.ts';
import { runSoql } from '../soql/execute.ts';
import { SoqlError } from '../soql/lexer.ts';
import { parseSoql } from '../soql/parser.ts';
import { Writer } from '../write/writer.ts';

describe('SOQL engine', () => {
  const org = new Org();
  const writer = new Writer(org);
  before(() => {
    seedBase(org, writer, 'admin@tandem.test');
    applyCustomisations(org, writer, tandemCustomisations, adminUserId);
    for (let i = 0; i < 2000; i++) {
      const r = transact(org, (tx) =>
        writer.create(tx, { userId: adminUserId, origin: 'test' }, 'Lead', {
          LastName: `L${i}`,
          Company: `C${i % 10}`,
          Email: `p${i}@example.com`,
          Intercom_Id__c: `ic-${i}`,
        }),
      );
      assert.ok(r.ok);
    }
  });

  it('reads an index, not the table, for Id, Email and external-ID lookups', () => {
    const byEmail = runSoql(org, "SELECT Id FROM Lead WHERE Email = 'P7@EXAMPLE.COM'", {
      includeDeleted: false,
    });
    assert.equal(byEmail.ids.length, 1);
    assert.equal(byEmail.scanned, 1);
    const byExternalId = runSoql(
      org,
      "SELECT Id FROM Lead WHERE Intercom_Id__c IN ('ic-1', 'ic-2', 'nope') AND Company = 'C1'",
      { includeDeleted: false },
    );
    assert.equal(byExternalId.ids.length, 1);
    assert.equal(byExternalId.scanned, 2);
    const id = byEmail.ids[0] as string;
    const byId = runSoql(org, `SELECT Id FROM Lead WHERE Id = '${id.slice(0, 15)}'`, {
      includeDeleted: false,
    });
    assert.deepEqual(byId.ids, [id]);
    assert.equal(byId.scanned, 1);
    const scan = runSoql(org, "SELECT Id FROM Lead WHERE Company = 'C1'", {
      includeDeleted: false,
    });
    assert.equal(scan.ids.length, 200);
    assert.equal(scan.scanned, 2000);
    const either = runSoql(
      org,
      "SELECT Id FROM Lead WHERE Email = 'p1@example.com' OR Company = 'C2'",
      { includeDeleted: false },
    );
    assert.equal(either.scanned, 2000);
  });

  it('parses the supported grammar into a tree', () => {
    const q = parseSoql(
      "select Id, Owner.Email from Lead where (Email like '%x%' or not IsConverted = true) and Status != null order by CreatedDate desc nulls last, Id limit 10 offset 5",
    );
    assert.deepEqual(
      q.select.map((s) => (s.kind === 'field' ? s.field.path : 'count')),
      ['Id', 'Owner.Email'],
    );
    assert.equal(q.where?.kind, 'and');
    assert.deepEqual(
      q.orderBy.map((o) => [o.field.path, o.desc, o.nullsLast]),
      [
        ['CreatedDate', true, true],
        ['Id', false, false],
      ],
    );
    assert.equal(q.limit, 10);
    assert.equal(q.offset, 5);
  });

  it('refuses what it does not support with MALFORMED_QUERY and a position', () => {
    for (const [text, pattern] of [
      ["SELECT Id FROM Lead WHERE Name INCLUDES ('a')", /INCLUDES is not supported/],
      ['SELECT SUM(AnnualRevenue) FROM Lead', /SUM\(\) is not supported/],
      ['SELECT Id FROM Lead l', /object aliases are not supported/],
      ["SELECT Id FROM Lead WHERE Name = 'unterminated", /unterminated string/],
      [
        'SELECT Id FROM Lead WHERE CreatedDate = LAST_FORTNIGHT',
        /date literal LAST_FORTNIGHT is not supported/,
      ],
      [
        `SELECT Id FROM Lead WHERE ${'('.repeat(200)}Name = 'a'${')'.repeat(200)}`,
        /nested too deeply/,
      ],
    ] as const) {
      assert.throws(
        () => runSoql(org, text, { includeDeleted: false }),
        (e: unknown) =>
          e instanceof SoqlError && e.code === 'MALFORMED_QUERY' && pattern.test(e.message),
        text,
      );
    }
  });
});
