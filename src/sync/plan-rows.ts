// A person's plan as flat rows (one per match, created field, update, conflict, duplicate or
// skip) for the table, JSON and CSV of `tandem plan`, and the counts per outcome.
import type { SyncValue } from '../core/index.ts';
import type { PersonReport } from './plan.ts';

export const planActions = ['match', 'create', 'update', 'conflict', 'duplicate', 'skip'] as const;
export type PlanAction = (typeof planActions)[number];

export interface PlanRow {
  readonly source: 'intercom' | 'salesforce';
  readonly intercomId: string | null;
  readonly email: string | null;
  /** `Lead:ID` or `Contact:ID`; `Lead:(new)` for a Lead to create. */
  readonly salesforce: string | null;
  readonly action: PlanAction;
  /** Where the write goes (`Lead`, `Contact`, `intercom`), or what was matched. */
  readonly target: string;
  readonly field: string | null;
  readonly old: SyncValue;
  readonly new: SyncValue;
  /** Match reason and rule, skip reason, conflict rule, fallback source. */
  readonly reason: string;
  readonly detail: string;
}

/** What happens to each person, counted once per person (a person may both match and update). */
export const planOutcomes = [
  'people',
  'matched',
  'linked',
  'create',
  'update',
  'conflict',
  'duplicate',
  'nothing_to_do',
] as const;
export type PlanOutcome = (typeof planOutcomes)[number];
export type PlanCounts = Record<PlanOutcome, number> & { skips: Record<string, number> };

export const emptyCounts = (): PlanCounts => ({
  ...(Object.fromEntries(planOutcomes.map((o) => [o, 0])) as Record<PlanOutcome, number>),
  skips: {},
});

export function countReport(counts: PlanCounts, report: PersonReport): void {
  counts.people += 1;
  const { pairing, plan } = report;
  if (pairing.kind === 'matched') counts.matched += 1;
  if (pairing.kind === 'linked') counts.linked += 1;
  if (pairing.kind === 'matched' && pairing.duplicates.length > 0) counts.duplicate += 1;
  const creates = plan?.createLead != null;
  const updates = (plan?.salesforceUpdates.length ?? 0) + (plan?.intercomUpdates.length ?? 0) > 0;
  if (creates) counts.create += 1;
  if (updates) counts.update += 1;
  if ((plan?.conflicts.length ?? 0) > 0) counts.conflict += 1;
  if (!creates && !updates) counts.nothing_to_do += 1;
  const reasons = new Set(plan?.skips.map((s) => s.reason) ?? []);
  if (pairing.kind === 'linked_record_gone') reasons.add('linked_record_gone' as never);
  for (const reason of reasons) counts.skips[reason] = (counts.skips[reason] ?? 0) + 1;
}

export function rowsOf(report: PersonReport): PlanRow[] {
  const { pairing, plan } = report;
  const sf = report.salesforce;
  const base = {
    source: report.source,
    intercomId: report.intercom?.id ?? null,
    email: report.intercom?.email ?? sf?.email ?? null,
    salesforce: sf ? `${sf.type}:${sf.id}` : plan?.createLead ? 'Lead:(new)' : null,
    field: null,
    old: null,
    new: null,
    detail: '',
  };
  const rows: PlanRow[] = [];
  if (pairing.kind === 'matched' || pairing.kind === 'linked') {
    const other = report.source === 'intercom' ? (sf?.type ?? '') : 'intercom';
    rows.push({
      ...base,
      action: 'match',
      target: other,
      reason: pairing.kind === 'linked' ? 'linked' : `${pairing.reason}, ${pairing.rule}`,
      detail:
        pairing.kind === 'linked'
          ? `already linked (link ${pairing.linkId})`
          : `would link ${report.intercom?.id ?? ''} ↔ ${sf ? `${sf.type} ${sf.id}` : ''}`,
    });
  }
  if (pairing.kind === 'matched')
    for (const id of pairing.duplicates)
      rows.push({
        ...base,
        action: 'duplicate',
        target: report.source === 'intercom' ? 'salesforce' : 'intercom',
        reason: pairing.rule,
        detail: `${id} also matches; passed over`,
      });
  if (pairing.kind === 'linked_record_gone')
    rows.push({
      ...base,
      action: 'skip',
      target: '',
      reason: 'linked_record_gone',
      detail: 'the linked record is gone: live sync follows its merge or deletion',
    });
  if (plan === null) return rows;
  const lead = plan.createLead;
  if (lead !== null) {
    const fallbacks = new Map(lead.fallbacks.map((f) => [f.field, f.source]));
    for (const [field, value] of Object.entries(lead.fields)) {
      const fallback = fallbacks.get(field);
      rows.push({
        ...base,
        action: 'create',
        target: 'Lead',
        field,
        new: value,
        reason: fallback === undefined ? 'mapped' : 'fallback',
        detail: fallback ?? '',
      });
    }
  }
  const updates = [
    ...plan.salesforceUpdates.map((c) => ({ change: c, target: sf?.type ?? 'salesforce' })),
    ...plan.intercomUpdates.map((c) => ({ change: c, target: 'intercom' })),
  ];
  for (const { change, target } of updates)
    rows.push({
      ...base,
      action: 'update',
      target,
      field: change.field,
      old: change.old,
      new: change.new,
      reason: change.fallback === undefined ? 'changed' : 'fallback',
      detail: change.fallback ?? '',
    });
  for (const conflict of plan.conflicts)
    rows.push({
      ...base,
      action: 'conflict',
      target: conflict.winner,
      field: conflict.mapping.salesforce,
      old: conflict.salesforceValue,
      new: conflict.intercomValue,
      reason: conflict.rule,
      detail: `Salesforce ${shown(conflict.salesforceValue)}, Intercom ${shown(conflict.intercomValue)}: ${conflict.winner} wins`,
    });
  for (const skip of plan.skips)
    rows.push({
      ...base,
      action: 'skip',
      target: '',
      field: skip.mapping?.salesforce ?? null,
      reason: skip.reason,
      detail: skip.detail,
    });
  return rows;
}

/** A value for people: `(empty)` for nothing, strings as they are. */
export const shown = (value: SyncValue): string =>
  value === null || value === '' ? '(empty)' : String(value);

export const csvHeader = [
  'source',
  'intercomId',
  'email',
  'salesforce',
  'action',
  'target',
  'field',
  'old',
  'new',
  'reason',
  'detail',
] as const satisfies readonly (keyof PlanRow)[];

const csvCell = (value: SyncValue): string => {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const csvLine = (row: PlanRow): string =>
  csvHeader.map((column) => csvCell(row[column])).join(',');
