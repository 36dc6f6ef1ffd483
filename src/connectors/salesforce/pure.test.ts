import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapRecordError, mapSalesforceError } from './errors.ts';
import { parseLimitInfo, usageFromLimits } from './limits.ts';
import { datetime, name, quote, selectWhereIn } from './soql.ts';
import { chunk } from './collections.ts';

describe('SOQL building', () => {
  it('escapes quotes, backslashes and control characters inside literals', () => {
    assert.equal(quote("O'Brien"), "'O\\'Brien'");
    assert.equal(quote('a\\b'), "'a\\\\b'");
    assert.equal(quote('line\nbreak\t"q"'), '\'line\\nbreak\\t\\"q\\"\'');
    assert.equal(quote("x' OR Name != '"), "'x\\' OR Name != \\''");
  });

  it('accepts API names and relationship paths, and throws for anything else', () => {
    assert.equal(name('Intercom_Id__c'), 'Intercom_Id__c');
    assert.equal(name('Owner.Email'), 'Owner.Email');
    assert.throws(() => name('Id FROM Lead'), /not a Salesforce API name/);
    assert.throws(() => name(''), /not a Salesforce API name/);
  });

  it('builds an IN query with every value quoted and fields de-duplicated', () => {
    assert.equal(
      selectWhereIn('Lead', ['Id', 'Email', 'Id'], 'Email', ['a@b.test', "o'b@c.test"]),
      "SELECT Id, Email FROM Lead WHERE Email IN ('a@b.test', 'o\\'b@c.test')",
    );
  });

  it('writes datetimes as unquoted UTC literals without milliseconds', () => {
    assert.equal(datetime(new Date(Date.UTC(2026, 0, 31, 12, 0, 5, 123))), '2026-01-31T12:00:05Z');
  });
});

describe('API usage', () => {
  it('reads used and max from Sforce-Limit-Info, with bursts when present', () => {
    assert.deepEqual(parseLimitInfo('api-usage=21/15000', 7), {
      used: 21,
      max: 15_000,
      remaining: 14_979,
      fraction: 21 / 15_000,
      observedAt: 7,
    });
    assert.deepEqual(parseLimitInfo('api-usage=1/10; api-bursts=3/750', 0)?.bursts, {
      used: 3,
      max: 750,
    });
  });

  it('ignores a missing or garbled header', () => {
    assert.equal(parseLimitInfo(undefined, 0), undefined);
    assert.equal(parseLimitInfo('per-app-api-usage=1/2', 0), undefined);
    assert.equal(parseLimitInfo('api-usage=abc', 0), undefined);
  });

  it('reads the org-wide figure when a per-app figure follows it', () => {
    const usage = parseLimitInfo('api-usage=25/5000; per-app-api-usage=17/250(appName=x)', 0);
    assert.equal(usage?.used, 25);
    assert.equal(usage?.max, 5_000);
  });

  it('turns /limits DailyApiRequests into the same reading', () => {
    assert.equal(usageFromLimits({ DailyApiRequests: { Max: 100, Remaining: 40 } }, 0)?.used, 60);
    assert.equal(usageFromLimits({}, 0), undefined);
  });
});

describe('Salesforce error mapping', () => {
  const apiError = (errorCode: string, message = 'm', data: unknown = {}) =>
    Object.assign(new Error(message), { name: errorCode, errorCode, data });

  it('marks a refused refresh token as needing a reconnect', () => {
    const mapped = mapSalesforceError(
      new Error('Unable to refresh session due to: expired access/refresh token'),
      undefined,
    );
    assert.ok(mapped?.code === 'auth_failed');
    assert.equal(mapped.needsReconnect, true);
  });

  it('answers upstream when the refresh itself could not reach Salesforce', () => {
    const mapped = mapSalesforceError(
      new Error('Unable to refresh session due to: fetch failed'),
      undefined,
    );
    assert.equal(mapped?.code, 'upstream');
  });

  it('answers session_expired for INVALID_SESSION_ID that no refresh could cure', () => {
    assert.equal(
      mapSalesforceError(apiError('INVALID_SESSION_ID'), undefined)?.code,
      'session_expired',
    );
  });

  it('reads Retry-After on a 429 when the server sends one', () => {
    const mapped = mapSalesforceError(apiError('ERROR_HTTP_429'), {
      status: 429,
      headers: { 'retry-after': '3' },
    });
    assert.ok(mapped?.code === 'rate_limited');
    assert.equal(mapped.retryAfterMs, 3_000);
  });

  it('collects the ids a DUPLICATES_DETECTED answer names', () => {
    const mapped = mapSalesforceError(
      apiError('DUPLICATES_DETECTED', 'Use one of these records?', {
        duplicateResult: {
          matchResults: [{ matchRecords: [{ record: { Id: '00Q000000000001AAA' } }] }],
        },
      }),
      { status: 400, headers: {} },
    );
    assert.ok(mapped?.code === 'duplicate');
    assert.deepEqual(mapped.existingIds, ['00Q000000000001AAA']);
  });

  it('maps a 300 answer to an upsert to duplicate with the ids of the record URLs', () => {
    const mapped = mapSalesforceError(
      apiError('MULTIPLE_CHOICES', 'Multiple records found', [
        '/services/data/v59.0/sobjects/Lead/00Q000000000001AAA',
        '/services/data/v59.0/sobjects/Lead/00Q000000000002AAA',
      ]),
      { status: 300, headers: {} },
    );
    assert.ok(mapped?.code === 'duplicate');
    assert.deepEqual(mapped.existingIds, ['00Q000000000001AAA', '00Q000000000002AAA']);
  });

  it('maps per-record collection errors by statusCode', () => {
    const mapped = mapRecordError({
      statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
      message: 'cannot reference converted lead',
      fields: [],
    });
    assert.ok(mapped.code === 'validation');
    assert.equal(mapped.errorCode, 'CANNOT_UPDATE_CONVERTED_LEAD');
    assert.equal(mapRecordError({ statusCode: 'UNABLE_TO_LOCK_ROW' }).code, 'conflict');
    assert.equal(mapRecordError({ statusCode: 'ENTITY_IS_DELETED' }).code, 'not_found');
  });

  it('decides MULTIPLE_API_ERRORS by its first error, message included', () => {
    const mapped = mapSalesforceError(
      apiError('MULTIPLE_API_ERRORS', 'Multiple errors returned.', [
        { errorCode: 'INVALID_FIELD', message: "No such column 'Foo'", fields: ['Foo'] },
        { errorCode: 'STRING_TOO_LONG', message: 'too long' },
      ]),
      { status: 400, headers: {} },
    );
    assert.ok(mapped?.code === 'validation');
    assert.equal(mapped.errorCode, 'INVALID_FIELD');
    assert.equal(mapped.message, "No such column 'Foo'");
    assert.deepEqual(mapped.fields, ['Foo']);
  });

  it('leaves errors that are not API failures to be thrown', () => {
    assert.equal(mapSalesforceError(new TypeError('x is not a function'), undefined), undefined);
    assert.equal(mapSalesforceError('a string', undefined), undefined);
  });
});

describe('collection chunks', () => {
  it('cuts into pieces of at most 200', () => {
    assert.deepEqual(
      chunk(Array.from({ length: 401 }, (_, i) => i)).map((c) => c.length),
      [200, 200, 1],
    );
    assert.deepEqual(chunk([]), []);
  });
});
