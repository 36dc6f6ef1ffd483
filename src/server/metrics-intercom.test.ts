import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics, type IntercomRateGauges } from './metrics.ts';

describe('Intercom rate metrics', () => {
  it('shows the limit, what is left, the calls paced and the 429s as the pacer reports them', async () => {
    let reading: IntercomRateGauges = {
      perWindow: 1_666,
      remaining: 1_200,
      calls: 5_000,
      delayed: 4_000,
      waiting: 3,
      rateLimited: 2,
    };
    const metrics = createMetrics(
      async () => [],
      undefined,
      () => reading,
    );
    const text = await metrics.registry.metrics();
    assert.match(text, /^tandem_intercom_rate_limit 1666$/m);
    assert.match(text, /^tandem_intercom_rate_remaining 1200$/m);
    assert.match(text, /^tandem_intercom_calls_waiting 3$/m);
    assert.match(text, /^tandem_intercom_calls_total 5000$/m);
    assert.match(text, /^tandem_intercom_calls_delayed_total 4000$/m);
    assert.match(text, /^tandem_intercom_rate_limited_total 2$/m);

    reading = { ...reading, remaining: 900, rateLimited: 3 };
    const later = await metrics.registry.metrics();
    assert.match(later, /^tandem_intercom_rate_remaining 900$/m);
    assert.match(later, /^tandem_intercom_rate_limited_total 3$/m);
  });
});
