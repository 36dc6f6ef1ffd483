import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntercomError, IntercomTimeoutError } from 'intercom-client';
import { mapIntercomError } from './errors.ts';

const envelope = (code: string, message: string, field?: string) => ({
  type: 'error.list',
  request_id: 'r-1',
  errors: [{ code, message, ...(field ? { field } : {}) }],
});

describe('Intercom error mapping', () => {
  it('reads the existing id of an archived duplicate from the 409 message', () => {
    const mapped = mapIntercomError(
      new IntercomError({
        statusCode: 409,
        body: envelope(
          'conflict',
          'An archived contact matching those details already exists with id=6961d4041c1e12de4c5499cc',
        ),
      }),
    );
    assert.ok(mapped?.code === 'conflict');
    assert.equal(mapped.existingId, '6961d4041c1e12de4c5499cc');
  });

  it('keeps the field Intercom names on a validation error', () => {
    const mapped = mapIntercomError(
      new IntercomError({
        statusCode: 400,
        body: envelope('parameter_invalid', 'Email is invalid', 'email'),
      }),
    );
    assert.ok(mapped?.code === 'validation');
    assert.deepEqual(mapped.fields, ['email']);
    assert.equal(mapped.errorCode, 'parameter_invalid');
  });

  it('waits for Retry-After before X-RateLimit-Reset on a 429', () => {
    const rawResponse = {
      headers: new Headers({ 'retry-after': '2', 'x-ratelimit-reset': '1000' }),
    } as unknown as ConstructorParameters<typeof IntercomError>[0]['rawResponse'];
    const mapped = mapIntercomError(
      new IntercomError({ statusCode: 429, body: {}, ...(rawResponse ? { rawResponse } : {}) }),
      () => 990_000,
    );
    assert.ok(mapped?.code === 'rate_limited');
    assert.equal(mapped.retryAfterMs, 2_000);
  });

  it('answers upstream for a time-out and for an error without status', () => {
    assert.equal(mapIntercomError(new IntercomTimeoutError('Timeout'))?.code, 'upstream');
    assert.equal(
      mapIntercomError(new IntercomError({ message: 'fetch failed' }))?.code,
      'upstream',
    );
  });

  it("leaves errors that are not the SDK's to be thrown", () => {
    assert.equal(mapIntercomError(new TypeError('boom')), undefined);
  });
});
