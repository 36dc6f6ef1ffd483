// Values Salesforce computes on save: compound names, closed flags, stage probabilities.
import type { Org } from '../org.ts';
import type { Row, Value } from '../store/table.ts';

const stages: Record<
  string,
  { probability: number; forecast: string; closed: boolean; won: boolean }
> = {
  Prospecting: { probability: 10, forecast: 'Pipeline', closed: false, won: false },
  Qualification: { probability: 10, forecast: 'Pipeline', closed: false, won: false },
  'Needs Analysis': { probability: 20, forecast: 'Pipeline', closed: false, won: false },
  'Value Proposition': { probability: 50, forecast: 'Pipeline', closed: false, won: false },
  'Id. Decision Makers': { probability: 60, forecast: 'Pipeline', closed: false, won: false },
  'Perception Analysis': { probability: 70, forecast: 'Pipeline', closed: false, won: false },
  'Proposal/Price Quote': { probability: 75, forecast: 'Pipeline', closed: false, won: false },
  'Negotiation/Review': { probability: 90, forecast: 'Pipeline', closed: false, won: false },
  'Closed Won': { probability: 100, forecast: 'Closed', closed: true, won: true },
  'Closed Lost': { probability: 0, forecast: 'Omitted', closed: true, won: false },
};

function personName(row: Row): Value {
  const parts = [row['FirstName'], row['LastName']].filter(
    (p) => p !== null && p !== undefined && p !== '',
  );
  return parts.length > 0 ? parts.join(' ') : null;
}

/**
 * Sets the derived fields of a row about to be saved; `changed` are the fields the request set
 * (all of them on insert). Returns the names of derived fields whose value changed.
 */
export function derive(
  org: Org,
  type: string,
  row: Row,
  changed: ReadonlySet<string>,
  insert: boolean,
): string[] {
  const touched: string[] = [];
  const described = org.type(type);
  const set = (name: string, value: Value): void => {
    if (!described?.field(name)) return;
    if ((row[name] ?? null) !== value) {
      if (value === null) delete row[name];
      else row[name] = value;
      touched.push(name);
    }
  };
  switch (type) {
    case 'Lead':
    case 'Contact':
    case 'User':
      if (insert || changed.has('FirstName') || changed.has('LastName'))
        set('Name', personName(row));
      if (type === 'User' && insert && row['CommunityNickname'] == null) {
        set('CommunityNickname', String(row['Username'] ?? '').split('@')[0] ?? null);
      }
      break;
    case 'Case':
      if (insert) {
        const next = (org.autoNumbers.get('Case') ?? 1000) + 1;
        org.autoNumbers.set('Case', next);
        set('CaseNumber', String(next).padStart(8, '0'));
      }
      if (insert || changed.has('Status')) {
        const closed = row['Status'] === 'Closed';
        set('IsClosed', closed);
        if (closed && row['ClosedDate'] == null) set('ClosedDate', row['LastModifiedDate'] ?? null);
        if (!closed) set('ClosedDate', null);
      }
      break;
    case 'Task':
      if (insert || changed.has('Status')) {
        const closed = row['Status'] === 'Completed';
        set('IsClosed', closed);
        if (closed && row['CompletedDateTime'] == null)
          set('CompletedDateTime', row['LastModifiedDate'] ?? null);
      }
      break;
    case 'Opportunity':
      if (insert || changed.has('StageName')) {
        const stage = stages[String(row['StageName'])];
        if (stage) {
          set('IsClosed', stage.closed);
          set('IsWon', stage.won);
          if (!changed.has('Probability')) set('Probability', stage.probability);
          if (!changed.has('ForecastCategoryName')) set('ForecastCategoryName', stage.forecast);
          set('ForecastCategory', stage.forecast === 'Closed' ? 'Closed' : stage.forecast);
        }
      }
      break;
  }
  return touched;
}
