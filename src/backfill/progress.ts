import type { BackfillProgress, BackfillSummary } from './report-types.ts';

/**
 * Shows a running backfill: on a terminal, one line redrawn in place (bar, done/total, rate,
 * ETA, errors, phase); elsewhere (logs, CI, a pipe), a plain line every `lineIntervalMs` and at
 * each phase change. `done` prints the summary.
 *
 * Hand-written rather than cli-progress: the renderer is a few dozen lines, it must run on an
 * injected clock (tests, and the rate window), and cli-progress keeps its own timers and
 * Date.now and has had no release since 2024.
 */
export interface ProgressReporter {
  update(progress: BackfillProgress): void;
  done(summary: BackfillSummary): void;
}

export interface ProgressReporterOptions {
  readonly stream: NodeJS.WritableStream & {
    isTTY?: boolean | undefined;
    columns?: number | undefined;
  };
  readonly now?: () => number;
  /** Without a terminal, how often a progress line is printed. */
  readonly lineIntervalMs?: number;
}

/** The span the records/s rate is smoothed over. */
export const rateWindowMs = 10_000;
/** On a terminal, redraws closer together than this are skipped (a phase change always draws). */
const redrawIntervalMs = 100;

export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const { stream } = options;
  const now = options.now ?? Date.now;
  const lineIntervalMs = options.lineIntervalMs ?? 10_000;
  const tty = stream.isTTY === true;
  const meter = createRateMeter(rateWindowMs);
  let lastPhase: string | undefined;
  let lastWrite = -Infinity;
  let liveLine = false;
  let finished = false;

  return {
    update(progress) {
      if (finished) return;
      const at = now();
      meter.add(at, progress.done);
      const phaseChanged = progress.phase !== lastPhase;
      lastPhase = progress.phase;
      const view = { progress, rate: meter.rate(at) };
      if (tty) {
        if (!phaseChanged && at - lastWrite < redrawIntervalMs) return;
        stream.write(
          `\r${fit(progressBarLine(view, barWidthFor(stream.columns)), stream.columns)}\x1b[K`,
        );
        liveLine = true;
      } else {
        if (!phaseChanged && at - lastWrite < lineIntervalMs) return;
        stream.write(`${progressLine(view)}\n`);
      }
      lastWrite = at;
    },
    done(summary) {
      if (finished) return;
      finished = true;
      if (liveLine) stream.write('\r\x1b[K');
      stream.write(`${formatSummary(summary)}\n`);
    },
  };
}

// --- the math -------------------------------------------------------------------------------

export interface RateMeter {
  /** Records the count of records done at a time (epoch ms). */
  add(at: number, done: number): void;
  /** Records per second over the window that ends at `at`; null until two readings differ in time. */
  rate(at: number): number | null;
}

/**
 * A moving rate: the records done between the oldest reading inside the window (or the last one
 * before it) and the newest. A count that goes down (a counter restarted) starts afresh.
 */
export function createRateMeter(windowMs: number): RateMeter {
  let readings: { at: number; done: number }[] = [];
  return {
    add(at, done) {
      const last = readings.at(-1);
      if (last !== undefined && done < last.done) readings = [];
      // Readings closer together than a quarter second replace each other, so that an update
      // per record does not grow the window to thousands of readings.
      const previous = readings.at(-2);
      if (previous !== undefined && at - previous.at < 250)
        readings[readings.length - 1] = { at, done };
      else readings.push({ at, done });
      // Keep one reading at or before the window's start, so the window is always covered.
      while (readings.length > 2 && readings[1]!.at <= at - windowMs) readings.shift();
    },
    rate(at) {
      return rateBetween(readings, at, windowMs);
    },
  };
}

/** Records per second between the first reading that covers the window and the last one. */
export function rateBetween(
  readings: readonly { readonly at: number; readonly done: number }[],
  at: number,
  windowMs: number,
): number | null {
  const last = readings.at(-1);
  if (last === undefined) return null;
  let first = readings[0]!;
  for (const reading of readings) {
    if (reading.at > at - windowMs) break;
    first = reading;
  }
  const elapsed = last.at - first.at;
  if (elapsed <= 0) return null;
  return ((last.done - first.done) * 1000) / elapsed;
}

/** Milliseconds left at the current rate; null when the total or a rate is not known yet. */
export function etaMs(done: number, total: number | null, rate: number | null): number | null {
  if (total === null) return null;
  const remaining = Math.max(0, total - done);
  if (remaining === 0) return 0;
  if (rate === null || rate <= 0) return null;
  return Math.round((remaining / rate) * 1000);
}

/** The share done, 0 to 1; null while the total is not known. */
export function fractionDone(done: number, total: number | null): number | null {
  if (total === null) return null;
  if (total <= 0) return 1;
  return Math.min(1, Math.max(0, done / total));
}

/** Records per second over the whole run. */
export function averageRate(records: number, durationMs: number): number | null {
  return durationMs > 0 ? (records * 1000) / durationMs : null;
}

/** API calls per 1,000 records; null without records. */
export function callsPerThousand(calls: number, records: number): number | null {
  return records > 0 ? (calls * 1000) / records : null;
}

// --- formatting -----------------------------------------------------------------------------

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** 100000 → "100,000". */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** A rate or ratio: one decimal below 10, whole numbers above. */
export function formatRate(value: number): string {
  return value < 10 ? oneDecimal.format(value) : integer.format(value);
}

/** 4200 → "4.2s", 42000 → "42s", 64000 → "1m 4s", 7_500_000 → "2h 5m". */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 10_000) return `${oneDecimal.format(Math.floor(value / 100) / 10)}s`;
  const seconds = Math.round(value / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

const phaseLabels: Readonly<Record<string, string>> = {
  staging_salesforce: 'reading Salesforce',
  staging_intercom: 'reading Intercom',
  from_intercom: 'Intercom → Salesforce',
  from_salesforce: 'Salesforce → Intercom',
  finishing: 'finishing',
  done: 'done',
};

export function phaseLabel(phase: string): string {
  return phaseLabels[phase] ?? phase.replaceAll('_', ' ');
}

interface ProgressView {
  readonly progress: BackfillProgress;
  readonly rate: number | null;
}

function counted(progress: BackfillProgress): string {
  return progress.total === null
    ? formatCount(progress.done)
    : `${formatCount(progress.done)}/${formatCount(progress.total)}`;
}

function errorsText(errors: number): string {
  return `${formatCount(errors)} ${errors === 1 ? 'error' : 'errors'}`;
}

/** The terminal line: `#12 [████░░░░] 45,000/100,000 45% 1,520/s ETA 36s 3 errors · phase`. */
export function progressBarLine(view: ProgressView, barWidth: number): string {
  const { progress, rate } = view;
  const fraction = fractionDone(progress.done, progress.total);
  const filled = fraction === null ? 0 : Math.round(fraction * barWidth);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]`;
  const eta = etaMs(progress.done, progress.total, rate);
  return [
    `#${progress.id}`,
    bar,
    counted(progress),
    fraction === null ? undefined : `${Math.floor(fraction * 100)}%`,
    rate === null ? undefined : `${formatRate(rate)}/s`,
    eta === null ? undefined : `ETA ${formatDuration(eta)}`,
    errorsText(progress.errors),
    `· ${phaseLabel(progress.phase)}`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}

/** The plain line: `backfill #12, Intercom → Salesforce: 45,000 of 100,000 (45%), …`. */
export function progressLine(view: ProgressView): string {
  const { progress, rate } = view;
  const fraction = fractionDone(progress.done, progress.total);
  const eta = etaMs(progress.done, progress.total, rate);
  const done =
    progress.total === null
      ? `${formatCount(progress.done)} records`
      : `${formatCount(progress.done)} of ${formatCount(progress.total)} records (${Math.floor((fraction ?? 0) * 100)}%)`;
  return [
    `backfill #${progress.id}, ${phaseLabel(progress.phase)}: ${done}`,
    rate === null ? undefined : `${formatRate(rate)} records/s`,
    eta === null ? undefined : `ETA ${formatDuration(eta)}`,
    errorsText(progress.errors),
  ]
    .filter((part) => part !== undefined)
    .join(', ');
}

function barWidthFor(columns: number | undefined): number {
  // Room for the rest of the line (about 70 characters); the bar takes what is left, 10 to 30.
  return Math.max(10, Math.min(30, (columns ?? 80) - 70));
}

/** Cut to the terminal's width, so the line never wraps (a wrapped line cannot be redrawn). */
function fit(line: string, columns: number | undefined): string {
  const width = Math.max(20, (columns ?? 80) - 1);
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

// --- the summary ----------------------------------------------------------------------------

const directionLabels: Readonly<Record<BackfillSummary['direction'], string>> = {
  to_salesforce: 'Intercom → Salesforce',
  to_intercom: 'Salesforce → Intercom',
  both: 'both ways',
};

/** The records a backfill went through: everything it read from either side. */
export function summaryRecords(summary: BackfillSummary): number {
  return summary.read.intercom + summary.read.salesforce;
}

/** "100,000 records in 1m 4s", the short form used in e-mail subjects. */
export function summaryHeadline(summary: BackfillSummary): string {
  const records = summaryRecords(summary);
  return `${formatCount(records)} ${records === 1 ? 'record' : 'records'} in ${formatDuration(summary.finishedAt - summary.startedAt)}`;
}

/** The summary as a readable block of plain text, for the terminal, logs and e-mail. */
export function formatSummary(summary: BackfillSummary): string {
  const durationMs = summary.finishedAt - summary.startedAt;
  const records = summaryRecords(summary);
  const objects = summary.objects.length === 0 ? 'no objects' : summary.objects.join(' and ');
  const { counts } = summary;
  const rows: [string, string][] = [
    [
      'read',
      `${formatCount(summary.read.intercom)} from Intercom, ${formatCount(summary.read.salesforce)} from Salesforce`,
    ],
    ['matched', formatCount(counts.matched)],
    ['already linked', formatCount(counts.alreadyLinked)],
    ['Leads created', formatCount(counts.leadsCreated)],
    ['Salesforce updated', formatCount(counts.salesforceUpdated)],
    ['Intercom updated', formatCount(counts.intercomUpdated)],
    ['unchanged', formatCount(counts.unchanged)],
    ['conflicts', formatCount(counts.conflicts)],
    ['duplicate candidates', formatCount(counts.duplicateCandidates)],
    ['failed', formatCount(counts.failed)],
    ['handed to live sync', formatCount(counts.handedToLiveSync)],
  ];
  const skipped = Object.entries(summary.skipped)
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const skippedTotal = skipped.reduce((sum, [, count]) => sum + count, 0);
  rows.push(['skipped', formatCount(skippedTotal)]);
  for (const [reason, count] of skipped) rows.push([`  ${reason}`, formatCount(count)]);
  rows.push(
    ['API calls, Salesforce', apiCalls(summary.apiCalls.salesforce, records)],
    ['API calls, Intercom', apiCalls(summary.apiCalls.intercom, records)],
    ['duration', formatDuration(durationMs)],
  );
  const rate = averageRate(records, durationMs);
  if (rate !== null) rows.push(['rate', `${formatRate(rate)} records/s`]);
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    `Backfill #${summary.id} ${summary.status}: ${summaryHeadline(summary)} (${directionLabels[summary.direction]}, ${objects})`,
    ...(summary.error === undefined ? [] : [`  error: ${summary.error}`]),
    ...rows.map(([label, value]) => `  ${label.padEnd(labelWidth)}  ${value}`),
  ];
  return lines.join('\n');
}

function apiCalls(calls: number, records: number): string {
  const ratio = callsPerThousand(calls, records);
  return ratio === null
    ? formatCount(calls)
    : `${formatCount(calls)} (${formatRate(ratio)} per 1,000 records)`;
}
