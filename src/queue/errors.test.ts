import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponentialBackoff } from './backoff.ts';
import { decideFailure, NonRetriableError, PostponeError, RetryAfterError } from './errors.ts';

const backoff = exponentialBackoff({ baseMs: 1000, maxMs: 10_000 }, () => 0.5);

describe('decideFailure', () => {
  it('retries an ordinary error with the default backoff', () => {
    assert.deepEqual(decideFailure(new Error('timeout'), 2, 5, backoff), {
      kind: 'retry',
      message: 'timeout',
      delayMs: 1500,
    });
  });

  it('fails at once on NonRetriableError, even with attempts left', () => {
    assert.deepEqual(decideFailure(new NonRetriableError('bad email'), 1, 25, backoff), {
      kind: 'fail',
      message: 'bad email',
    });
  });

  it('postpones on PostponeError, even on the last attempt', () => {
    assert.deepEqual(decideFailure(new PostponeError('budget', 300_000), 25, 25, backoff), {
      kind: 'postpone',
      message: 'budget',
      delayMs: 300_000,
    });
  });

  it('retries after the delay a RetryAfterError asks for', () => {
    assert.deepEqual(decideFailure(new RetryAfterError('rate limited', 42_000), 1, 25, backoff), {
      kind: 'retry',
      message: 'rate limited',
      delayMs: 42_000,
    });
  });

  it('fails when the attempts are used up, whatever was thrown', () => {
    assert.equal(decideFailure(new RetryAfterError('later', 10), 3, 3, backoff).kind, 'fail');
  });

  it('recognises a control error from another copy of the module by its name', () => {
    const foreign = Object.assign(new Error('stop'), { name: 'NonRetriableError' });
    assert.equal(decideFailure(foreign, 1, 5, backoff).kind, 'fail');
  });

  it('describes a thrown non-error', () => {
    assert.equal(decideFailure('plain string', 1, 5, backoff).message, 'plain string');
  });
});

describe('exponentialBackoff', () => {
  it('doubles per attempt, up to the cap', () => {
    const noJitter = exponentialBackoff({ baseMs: 100, maxMs: 1000 }, () => 1);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(noJitter), [100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps at least half the nominal delay, whatever the jitter', () => {
    const lowest = exponentialBackoff({ baseMs: 100 }, () => 0);
    assert.deepEqual([1, 2, 3].map(lowest), [50, 100, 200]);
  });

  it('refuses a negative RetryAfterError delay', () => {
    assert.throws(() => new RetryAfterError('x', -1), RangeError);
  });
});
