import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdFactory, canonicalId, checksum, makeId } from '../ids.ts';

describe('Salesforce ids', () => {
  it('computes the checksum of real 18-character ids', () => {
    for (const id of [
      '001dM00003kS2ndQAC',
      '012000000000000AAA',
      '0014S000007NxmlQAC',
      '00Q4S000002sSacUAE',
      '0034S000005YJVlQAO',
    ]) {
      assert.equal(checksum(id.slice(0, 15)), id.slice(15), id);
    }
  });

  it('accepts a 15-character id and answers its 18-character form', () => {
    assert.equal(canonicalId('001dM00003kS2nd'), '001dM00003kS2ndQAC');
  });

  it('restores the case of an 18-character id written in the wrong case', () => {
    assert.equal(canonicalId('001DM00003KS2NDQAC'), '001dM00003kS2ndQAC');
    assert.equal(canonicalId('001dm00003ks2ndqac'), '001dM00003kS2ndQAC');
  });

  it('refuses text that cannot be an id', () => {
    for (const text of ['', 'abc', '001dM00003kS2n!', '001dM00003kS2ndQA', '001dM00003kS2ndQA9'])
      assert.equal(canonicalId(text), null, text);
  });

  it('hands out distinct ids with the key prefix and a valid checksum', () => {
    const ids = new IdFactory();
    const a = ids.next('00Q');
    const b = ids.next('00Q');
    assert.notEqual(a, b);
    assert.match(a, /^00Q[a-zA-Z0-9]{12}[A-Z0-5]{3}$/);
    assert.equal(canonicalId(a), a);
    assert.equal(canonicalId(a.slice(0, 15)), a);
    assert.equal(makeId('005', 1), canonicalId(makeId('005', 1).slice(0, 15)));
  });
});
