import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { err, isTransient, ok, unwrap } from './result.ts';

describe('connector results', () => {
  it('calls retryable what may succeed later without anyone changing anything', () => {
    assert.equal(
      isTransient({ system: 'salesforce', code: 'rate_limited', message: '', retryAfterMs: 1 }),
      true,
    );
    assert.equal(isTransient({ system: 'salesforce', code: 'upstream', message: '' }), true);
    assert.equal(isTransient({ system: 'salesforce', code: 'conflict', message: '' }), true);
    assert.equal(
      isTransient({ system: 'intercom', code: 'conflict', message: '', existingId: 'x' }),
      false,
    );
    assert.equal(
      isTransient({
        system: 'salesforce',
        code: 'validation',
        message: '',
        errorCode: 'X',
        fields: [],
      }),
      false,
    );
    assert.equal(
      isTransient({ system: 'intercom', code: 'auth_failed', message: '', needsReconnect: true }),
      false,
    );
  });

  it('unwraps a value and throws for an error', () => {
    assert.equal(unwrap(ok(3)), 3);
    assert.throws(
      () => unwrap(err({ system: 'intercom', code: 'not_found', message: 'gone' })),
      /intercom not_found: gone/,
    );
  });
});
