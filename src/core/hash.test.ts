import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { sha256, stableStringify, valuesHash } from './hash.ts';

describe('values hash', () => {
  it('computes SHA-256 like node:crypto for short, long, multi-block and non-ASCII input', () => {
    for (const text of [
      '',
      'abc',
      'a'.repeat(55),
      'a'.repeat(56),
      'a'.repeat(200),
      'Zoë ☕ 日本',
    ]) {
      assert.equal(sha256(text), createHash('sha256').update(text, 'utf8').digest('hex'), text);
    }
  });
  it('serialises objects with sorted keys and without undefined entries', () => {
    assert.equal(
      stableStringify({ b: 1, a: { d: null, c: [1, 'x'] }, e: undefined }),
      '{"a":{"c":[1,"x"],"d":null},"b":1}',
    );
  });
  it('gives the same hash whatever the key order, and another hash for another value', () => {
    assert.equal(
      valuesHash({ Title: 'CEO', Phone: '1' }),
      valuesHash({ Phone: '1', Title: 'CEO' }),
    );
    assert.notEqual(valuesHash({ Title: 'CEO' }), valuesHash({ Title: 'CTO' }));
    assert.notEqual(valuesHash({ Title: null }), valuesHash({ Title: 'null' }));
  });
});
