import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorError } from '../connectors/index.ts';
import {
  actionFor,
  categoryOf,
  errorCodeOf,
  reconnectWaitMs,
  SyncCallError,
} from './person-errors.ts';

const failure = (error: ConnectorError) => new SyncCallError('update_salesforce', error);

describe('what a failed call does to a sync job', () => {
  const rows: {
    error: ConnectorError;
    kind: 'park' | 'retry' | 'reconnect';
    control: string;
    delayMs?: number;
    category: string;
  }[] = [
    {
      error: {
        system: 'salesforce',
        code: 'validation',
        errorCode: 'STRING_TOO_LONG',
        fields: ['Plan__c'],
        message: 'too long',
      },
      kind: 'park',
      control: 'NonRetriableError',
      category: 'validation',
    },
    {
      error: { system: 'salesforce', code: 'permission', message: 'no access' },
      kind: 'park',
      control: 'NonRetriableError',
      category: 'permission',
    },
    {
      error: { system: 'intercom', code: 'rate_limited', retryAfterMs: 7000, message: '429' },
      kind: 'retry',
      control: 'RetryAfterError',
      delayMs: 7000,
      category: 'limit',
    },
    {
      error: {
        system: 'salesforce',
        code: 'auth_failed',
        needsReconnect: true,
        message: 'revoked',
      },
      kind: 'reconnect',
      control: 'RetryAfterError',
      delayMs: reconnectWaitMs,
      category: 'auth',
    },
    {
      error: { system: 'salesforce', code: 'session_expired', message: 'expired' },
      kind: 'retry',
      control: 'SyncCallError',
      category: 'auth',
    },
    {
      error: { system: 'intercom', code: 'upstream', status: 503, message: 'down' },
      kind: 'retry',
      control: 'SyncCallError',
      category: 'upstream',
    },
  ];
  for (const row of rows) {
    it(`${row.error.code}${row.error.code === 'auth_failed' ? ' needing a reconnect' : ''}: ${row.kind} (${row.control})`, () => {
      const action = actionFor(failure(row.error));
      assert.equal(action.kind, row.kind);
      assert.equal(action.control.name, row.control);
      if (row.delayMs !== undefined)
        assert.equal((action.control as { delayMs?: number }).delayMs, row.delayMs);
      assert.equal(categoryOf(row.error), row.category);
    });
  }

  it('keeps Salesforce’s errorCode for a validation error', () => {
    assert.equal(errorCodeOf(rows[0]!.error), 'STRING_TOO_LONG');
  });
});
