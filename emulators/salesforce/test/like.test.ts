import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { likeMatcher } from '../soql/like.ts';

describe('LIKE', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['abc', 'ABC', true],
    ['abc', 'abcd', false],
    ['a%', 'abc', true],
    ['%c', 'abc', true],
    ['%b%', 'abc', true],
    ['%x%', 'abc', false],
    ['a_c', 'abc', true],
    ['a_c', 'ac', false],
    ['%', '', true],
    ['a%c%e', 'abcde', true],
    ['a%c%e', 'aec', false],
    ['ab%ba', 'aba', false],
    ['%aa%aa%', 'aaaa', true],
    ['%aa%aa%', 'aaa', false],
    ['100\\%', '100%', true],
    ['100\\%', '1000', false],
    ['a\\_b', 'a_b', true],
    ['a\\_b', 'axb', false],
  ];
  for (const [pattern, value, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} '${value}' with '${pattern}'`, () => {
      assert.equal(likeMatcher(pattern)(value), expected);
    });
  }

  it('answers a pathological pattern on a long text at once', () => {
    const started = performance.now();
    const text = 'a'.repeat(32000);
    assert.equal(likeMatcher(`${'%a'.repeat(40)}%b`)(text), false);
    assert.ok(performance.now() - started < 500);
  });
});
