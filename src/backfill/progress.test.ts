import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  callsPerThousand,
  createProgressReporter,
  createRateMeter,
  etaMs,
  formatDuration,
  formatSummary,
  fractionDone,
  summaryHeadline,
} from './progress.ts';
import type { BackfillProgress, BackfillSummary } from './report-types.ts';

class FakeStream extends Writable {
  text = '';
  isTTY: boolean;
  columns: number | undefined;
  constructor(isTTY: boolean, columns?: number) {
    super();
    this.isTTY = isTTY;
    this.columns = columns;
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

const escape = '\u001b';
const clearToEnd = `${escape}[K`;

function fakeClock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

function progress(overrides: Partial<BackfillProgress> = {}): BackfillProgress {
  return {
    id: 12,
    status: 'running',
    phase: 'from_intercom',
    direction: 'to_salesforce',
    objects: ['Lead', 'Contact'],
    total: 100_000,
    done: 0,
    errors: 0,
    startedAt: 0,
    updatedAt: 0,
    finishedAt: null,
    ...overrides,
  };
}

function sampleSummary(overrides: Partial<BackfillSummary> = {}): BackfillSummary {
  return {
    id: 12,
    status: 'completed',
    direction: 'to_salesforce',
    objects: ['Lead', 'Contact'],
    startedAt: 1_700_000_000_000,
    finishedAt: 1_700_000_064_000,
    read: { intercom: 100_000, salesforce: 0 },
    counts: {
      matched: 0,
      alreadyLinked: 0,
      leadsCreated: 99_950,
      salesforceUpdated: 0,
      intercomUpdated: 0,
      unchanged: 0,
      conflicts: 3,
      duplicateCandidates: 7,
      failed: 2,
      handedToLiveSync: 4,
    },
    skipped: { 'no email': 40, 'lead threshold not met': 8, 'never shown': 0 },
    apiCalls: { salesforce: 540, intercom: 1_000 },
    ...overrides,
  };
}

describe('backfill progress math', () => {
  it('smooths the rate over the last ten seconds rather than the whole run', () => {
    const meter = createRateMeter(10_000);
    meter.add(0, 0);
    meter.add(10_000, 10_000); // 1,000/s for the first ten seconds
    meter.add(15_000, 11_000);
    meter.add(20_000, 12_000); // then 200/s
    assert.equal(meter.rate(20_000), 200);
  });

  it('has no rate before time has passed, and starts afresh when the count goes down', () => {
    const meter = createRateMeter(10_000);
    assert.equal(meter.rate(0), null);
    meter.add(0, 0);
    assert.equal(meter.rate(0), null);
    meter.add(2_000, 1_000);
    assert.equal(meter.rate(2_000), 500);
    meter.add(3_000, 10);
    assert.equal(meter.rate(3_000), null);
  });

  it('keeps an accurate rate when updated for every record', () => {
    const meter = createRateMeter(10_000);
    for (let done = 0; done <= 30_000; done++) meter.add(done, done); // 1,000/s, one per ms
    assert.equal(meter.rate(30_000), 1_000);
  });

  it('estimates the time left from the rate, and none without a total or a rate', () => {
    assert.equal(etaMs(40_000, 100_000, 1_500), 40_000);
    assert.equal(etaMs(100_000, 100_000, null), 0);
    assert.equal(etaMs(10, null, 1_500), null);
    assert.equal(etaMs(10, 100, null), null);
    assert.equal(etaMs(10, 100, 0), null);
  });

  it('reports the share done, whole when there is nothing to do', () => {
    assert.equal(fractionDone(25, 100), 0.25);
    assert.equal(fractionDone(0, 0), 1);
    assert.equal(fractionDone(5, null), null);
  });

  it('writes durations the way people say them', () => {
    assert.equal(formatDuration(420), '0.4s');
    assert.equal(formatDuration(4_200), '4.2s');
    assert.equal(formatDuration(42_000), '42s');
    assert.equal(formatDuration(64_000), '1m 4s');
    assert.equal(formatDuration(7_500_000), '2h 5m');
  });

  it('counts API calls per 1,000 records', () => {
    assert.equal(callsPerThousand(540, 100_000), 5.4);
    assert.equal(callsPerThousand(3, 0), null);
  });
});

describe('backfill progress display', () => {
  it('redraws one line in place on a terminal, with bar, counts, rate, ETA, errors and phase', () => {
    const stream = new FakeStream(true, 120);
    const clock = fakeClock();
    const reporter = createProgressReporter({ stream, now: clock.now });
    reporter.update(progress({ done: 0 }));
    for (let second = 1; second <= 30; second++) {
      clock.advance(1_000);
      reporter.update(progress({ done: second * 1_500, errors: 3 }));
    }
    assert.doesNotMatch(stream.text, /\n/);
    const lines = stream.text.split('\r').filter((line) => line !== '');
    assert.equal(lines.length, 31);
    const last = lines.at(-1)!;
    assert.ok(last.endsWith(clearToEnd), JSON.stringify(last));
    assert.match(
      last.slice(0, -clearToEnd.length),
      /^#12 \[█+░+\] 45,000\/100,000 45% 1,500\/s ETA 37s 3 errors · Intercom → Salesforce$/,
    );
  });

  it('skips redraws that come faster than the eye can follow, but never a phase change', () => {
    const stream = new FakeStream(true, 120);
    const clock = fakeClock();
    const reporter = createProgressReporter({ stream, now: clock.now });
    reporter.update(progress({ phase: 'staging_intercom', total: null, done: 1 }));
    reporter.update(progress({ phase: 'staging_intercom', total: null, done: 2 }));
    reporter.update(progress({ phase: 'from_intercom', done: 3 }));
    const lines = stream.text.split('\r').filter((line) => line !== '');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^#12 \[░+\] 1 0 errors · reading Intercom/);
    assert.match(lines[1]!, /3\/100,000 0% 0 errors · Intercom → Salesforce/);
  });

  it('keeps the line within the terminal width', () => {
    const stream = new FakeStream(true, 40);
    const reporter = createProgressReporter({ stream, now: fakeClock().now });
    reporter.update(progress({ done: 50_000, errors: 1_234 }));
    const line = stream.text.replace('\r', '').replace('\x1b[K', '');
    assert.ok(line.length < 40, line);
  });

  it('prints a plain line every interval and at each phase change when not on a terminal', () => {
    const stream = new FakeStream(false);
    const clock = fakeClock();
    const reporter = createProgressReporter({ stream, now: clock.now, lineIntervalMs: 10_000 });
    reporter.update(progress({ phase: 'staging_intercom', total: null, done: 0 }));
    for (let second = 1; second <= 25; second++) {
      clock.advance(1_000);
      reporter.update(progress({ phase: 'staging_intercom', total: null, done: second * 1_000 }));
    }
    clock.advance(1_000);
    reporter.update(progress({ done: 0 }));
    assert.ok(!stream.text.includes('\r') && !stream.text.includes(escape));
    assert.deepEqual(stream.text.trimEnd().split('\n'), [
      'backfill #12, reading Intercom: 0 records, 0 errors',
      'backfill #12, reading Intercom: 10,000 records, 1,000 records/s, 0 errors',
      'backfill #12, reading Intercom: 20,000 records, 1,000 records/s, 0 errors',
      'backfill #12, Intercom → Salesforce: 0 of 100,000 records (0%), 0 errors',
    ]);
  });

  it('ends with the summary in place of the live line, and shows nothing after it', () => {
    const stream = new FakeStream(true, 120);
    const clock = fakeClock();
    const reporter = createProgressReporter({ stream, now: clock.now });
    reporter.update(progress({ done: 10 }));
    reporter.done(sampleSummary());
    clock.advance(60_000);
    reporter.update(progress({ done: 20 }));
    const afterBar = stream.text.slice(stream.text.indexOf('\r\x1b[K'));
    assert.equal(afterBar, `\r\x1b[K${formatSummary(sampleSummary())}\n`);
  });
});

describe('backfill summary', () => {
  it('reads as a block with every count, skips by reason, API calls per 1,000 records, duration and rate', () => {
    const text = formatSummary(sampleSummary());
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      'Backfill #12 completed: 100,000 records in 1m 4s (Intercom → Salesforce, Lead and Contact)',
    );
    const row = (label: string) => lines.find((line) => line.trimStart().startsWith(label));
    assert.match(row('read')!, /100,000 from Intercom, 0 from Salesforce/);
    assert.match(row('Leads created')!, /99,950$/);
    assert.match(row('conflicts')!, /3$/);
    assert.match(row('duplicate candidates')!, /7$/);
    assert.match(row('failed')!, /2$/);
    assert.match(row('handed to live sync')!, /4$/);
    assert.match(row('skipped')!, /48$/);
    assert.match(row('no email')!, /40$/);
    assert.match(row('lead threshold not met')!, /8$/);
    assert.equal(row('never shown'), undefined);
    assert.match(row('API calls, Salesforce')!, /540 \(5\.4 per 1,000 records\)/);
    assert.match(row('API calls, Intercom')!, /1,000 \(10 per 1,000 records\)/);
    assert.match(row('duration')!, /1m 4s$/);
    assert.match(row('rate')!, /1,563 records\/s$/);
  });

  it('names the error of a failed backfill', () => {
    const summary = sampleSummary({ status: 'failed', error: 'Salesforce refused the login' });
    const text = formatSummary(summary);
    assert.match(text, /^Backfill #12 failed: /);
    assert.match(text, /\n {2}error: Salesforce refused the login\n/);
    assert.equal(summaryHeadline(summary), '100,000 records in 1m 4s');
  });
});
