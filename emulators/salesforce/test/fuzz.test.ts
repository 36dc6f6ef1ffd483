import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCustomisedHarness, type Harness } from './helpers.ts';

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env['FUZZ_SEED'] ?? 4410);

describe(`fuzz (seed ${seed})`, () => {
  let h: Harness;
  let token: string;
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  before(async () => {
    h = await startCustomisedHarness();
    token = (await h.connect()).accessToken as string;
  });
  after(() => h.close());

  const fields = [
    'LastName',
    'Company',
    'Email',
    'FirstName',
    'NumberOfEmployees',
    'IsConverted',
    'OwnerId',
    'AccountId',
    'Birthdate',
    'Status',
    'Nope__c',
    'Id',
    'attributes',
    'Lifecycle_Stage__c',
    'CreatedDate',
  ];
  const values: unknown[] = [
    '',
    'x',
    'a@b.com',
    'not-an-email',
    0,
    -1,
    1.5,
    1e308,
    true,
    false,
    null,
    [],
    {},
    [1, 2],
    { a: 1 },
    '2026-01-31',
    '00Q5g0000000001AAA',
    '001',
    'x'.repeat(300),
    '\u0000',
    '😀',
    "O'Brien",
  ];
  const randomValue = (): unknown => pick(values);
  const randomRecord = (): Record<string, unknown> => {
    const record: Record<string, unknown> = {};
    const n = Math.floor(random() * 5);
    for (let i = 0; i < n; i++) record[pick(fields)] = randomValue();
    if (random() < 0.5)
      record['attributes'] = { type: pick(['Lead', 'Contact', 'Account', 'Nope', 42]) };
    return record;
  };
  const randomBody = (): string => {
    const r = random();
    if (r < 0.15)
      return pick(['{', '[', '{"a":', 'null', '"text"', '12', '{"LastName": x}', '\u0000', '']);
    if (r < 0.35)
      return JSON.stringify({
        allOrNone: random() < 0.5,
        records: Array.from({ length: Math.floor(random() * 4) }, randomRecord),
      });
    if (r < 0.45)
      return JSON.stringify({
        compositeRequest: [
          {
            method: pick(['GET', 'POST', 'PATCH']),
            url: pick([
              '/services/data/v59.0/sobjects/Lead',
              '/services/data/v59.0/query?q=SELECT+Id+FROM+Lead',
              'nope',
              '/services/data/v59.0/sobjects/Lead/@{x.id}',
            ]),
            referenceId: 'x',
            body: randomRecord(),
          },
        ],
      });
    return JSON.stringify(randomRecord());
  };
  const soqlParts = [
    'SELECT',
    'Id',
    ',',
    'Name',
    'FROM',
    'Lead',
    'Contact',
    'Nope',
    'WHERE',
    'Email',
    '=',
    "'a@b.com'",
    'AND',
    'OR',
    'NOT',
    '(',
    ')',
    'IN',
    'LIKE',
    "'%x%'",
    'NULL',
    'TRUE',
    'ORDER BY',
    'DESC',
    'NULLS LAST',
    'LIMIT',
    '5',
    'OFFSET',
    '2001',
    'COUNT()',
    'Owner.Email',
    'Account.Name',
    '2026-01-01',
    '2026-01-01T00:00:00Z',
    'TODAY',
    'LAST_N_DAYS:3',
    "'",
    '\\',
    'GROUP BY',
    '>',
    '<=',
    '!=',
  ];
  const randomSoql = (): string => {
    if (random() < 0.3)
      return pick([
        'SELECT Id FROM Lead',
        "SELECT Id, Owner.Email FROM Lead WHERE Email LIKE '%a%' ORDER BY CreatedDate DESC LIMIT 10",
        'SELECT COUNT() FROM Contact',
      ]);
    return Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(soqlParts)).join(' ');
  };
  const randomPath = (): string =>
    pick([
      '/services/data/v59.0/sobjects/Lead',
      '/services/data/v59.0/sobjects/Lead/00Q5g0000000001AAA',
      '/services/data/v59.0/sobjects/Lead/garbage',
      '/services/data/v59.0/sobjects/Lead/Email/a@b.com',
      '/services/data/v59.0/sobjects/Nope/x',
      '/services/data/v59.0/sobjects/Lead/describe',
      '/services/data/v59.0/composite/sobjects',
      '/services/data/v59.0/composite/sobjects/Lead/Intercom_Id__c',
      '/services/data/v59.0/composite',
      '/services/data/v59.0/composite/batch',
      '/services/data/v59.0/limits',
      '/services/data/v59.0/jobs/ingest',
      '/services/data/v59.0/jobs/query',
      '/services/data/v59.0/query/nope-12',
      '/services/data/v99.0/sobjects',
      '/services/data/v59.0/%E0%A4%A',
      '/services/oauth2/token',
      `/services/data/v59.0/query?q=${encodeURIComponent(randomSoql())}`,
      `/services/data/v59.0/queryAll?q=${encodeURIComponent(randomSoql())}`,
    ]);

  it('answers thousands of random requests with Salesforce error bodies and keeps running', async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 2500; i++) {
      const method = pick(['GET', 'POST', 'PATCH', 'DELETE', 'PUT']);
      const path = randomPath();
      const init: RequestInit = {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      };
      if (method !== 'GET') init.body = randomBody();
      const res = await fetch(h.url + path, init);
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const context = `${method} ${path} ${String(init.body ?? '').slice(0, 200)} -> ${res.status} ${text.slice(0, 300)}`;
      assert.ok(res.status < 500, context);
      if (res.status >= 400 && path.startsWith('/services/data/v59.0')) {
        const body = JSON.parse(text) as { errorCode?: string }[];
        assert.ok(Array.isArray(body) && typeof body[0]?.errorCode === 'string', context);
      }
    }
    assert.ok((statuses.get(400) ?? 0) > 100);
    const alive = await fetch(`${h.url}/services/data/v59.0/limits`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(alive.status, 200);
  });
});
