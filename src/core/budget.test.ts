import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetRecheckMs, decideBudget, defaultBudgetSettings } from './budget.ts';

describe('API budget decision', () => {
  // Org limit 10,000, share 50%: 5,000 calls; bulk pauses at 2,000, live at 4,000.
  const cases = [
    { used: 0, level: 'open', paused: [] },
    { used: 1_999, level: 'open', paused: [] },
    { used: 2_000, level: 'bulk_paused', paused: ['bulk'] },
    { used: 3_999, level: 'bulk_paused', paused: ['bulk'] },
    { used: 4_000, level: 'live_paused', paused: ['live', 'bulk'] },
    { used: 4_999, level: 'live_paused', paused: ['live', 'bulk'] },
    { used: 5_000, level: 'exhausted', paused: ['interactive', 'live', 'bulk'] },
    { used: 12_000, level: 'exhausted', paused: ['interactive', 'live', 'bulk'] },
  ] as const;
  for (const c of cases) {
    it(`at ${c.used} of 10,000 calls: ${c.level}`, () => {
      const decision = decideBudget({ used: c.used, max: 10_000 }, defaultBudgetSettings);
      assert.equal(decision.level, c.level);
      assert.deepEqual(decision.paused, c.paused);
      assert.deepEqual(
        decision.allowed,
        ['interactive', 'live', 'bulk'].filter(
          (lane) => !(c.paused as readonly string[]).includes(lane),
        ),
      );
      assert.equal(decision.share, 5_000);
      assert.equal(decision.remaining, Math.max(0, 5_000 - c.used));
      assert.equal(decision.retryAfterMs, c.paused.length > 0 ? budgetRecheckMs : 0);
    });
  }

  it('lets everything go without a reading, or with a max of 0', () => {
    for (const reading of [undefined, { used: 5, max: 0 }]) {
      const decision = decideBudget(reading, defaultBudgetSettings);
      assert.equal(decision.level, 'open');
      assert.deepEqual(decision.paused, []);
      assert.equal(decision.retryAfterMs, 0);
    }
  });

  it('follows other thresholds and shares', () => {
    const settings = { sharePercent: 100, pauseBulkPercent: 10, pauseLivePercent: 90 };
    assert.equal(decideBudget({ used: 99, max: 1_000 }, settings).level, 'open');
    assert.equal(decideBudget({ used: 100, max: 1_000 }, settings).level, 'bulk_paused');
    assert.equal(decideBudget({ used: 900, max: 1_000 }, settings).level, 'live_paused');
    assert.equal(decideBudget({ used: 1_000, max: 1_000 }, settings).level, 'exhausted');
    assert.equal(
      decideBudget({ used: 50, max: 1_000 }, { ...settings, sharePercent: 5 }).level,
      'exhausted',
    );
  });

  it('waits when the org has used its whole allocation, whatever the share says', () => {
    const settings = { sharePercent: 100, pauseBulkPercent: 100, pauseLivePercent: 100 };
    assert.equal(decideBudget({ used: 999, max: 1_000 }, settings).level, 'open');
    assert.equal(decideBudget({ used: 1_000, max: 1_000 }, settings).level, 'exhausted');
  });

  it('reports the percent of the share used', () => {
    assert.equal(
      decideBudget({ used: 1_000, max: 10_000 }, defaultBudgetSettings).percentOfShare,
      20,
    );
  });
});
