// Runs a parsed SOQL query against the org: resolves field paths (parent relationships too),
// compiles WHERE into a predicate with Salesforce's typing rules, uses an index when the filter
// pins Id or an indexed field, then orders, offsets and limits.
import { canonicalId, keyPrefixOf } from '../ids.ts';
import type { Org } from '../org.ts';
import type { SObjectType } from '../schema/sobject.ts';
import { attributes, renderValue } from '../store/render.ts';
import type { Row, Table, Value } from '../store/table.ts';
import { compare, compile, normalise } from './filter.ts';
import { SoqlError } from './lexer.ts';
import { parseSoql, type Condition, type Query, type SelectItem } from './parser.ts';
import { resolve, type Resolved } from './resolve.ts';

export interface QueryResult {
  readonly type: SObjectType;
  /** Selected field paths as Salesforce names them (`Owner.Email`), for CSV headers. */
  readonly columns: readonly string[];
  readonly ids: readonly string[];
  /** Rows the engine looked at: the index's hits, or the whole table for a scan. */
  readonly scanned: number;
  /** COUNT() queries: the count, and no records. */
  readonly count: number | null;
  /** COUNT(field) queries: one aggregate record. */
  readonly aggregate: Record<string, unknown> | null;
  project(row: Row, version: string): Record<string, unknown>;
}

export function runSoql(
  org: Org,
  text: string,
  options: { includeDeleted: boolean; now?: number },
): QueryResult {
  const query = parseSoql(text);
  const type = org.type(query.from.name);
  if (!type) {
    throw new SoqlError(
      'INVALID_TYPE',
      `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      query.from.pos,
    );
  }
  const table = org.table(type.name) as Table;
  return execute(org, table, query, options);
}

function candidates(org: Org, table: Table, cond: Condition | null): string[] | null {
  if (!cond) return null;
  if (cond.kind === 'and') {
    let best: string[] | null = null;
    for (const item of cond.items) {
      const c = candidates(org, table, item);
      if (c && (best === null || c.length < best.length)) best = c;
    }
    return best;
  }
  if (cond.kind !== 'cmp' && cond.kind !== 'in') return null;
  if (cond.kind === 'cmp' && cond.op !== '=') return null;
  if (cond.kind === 'in' && cond.negate) return null;
  if (cond.field.path.includes('.')) return null;
  const field = table.type.field(cond.field.path);
  if (!field) return null;
  const literals = cond.kind === 'cmp' ? [cond.value] : cond.values;
  if (literals.some((l) => l.kind !== 'string')) return null;
  const values = literals.map((l) => (l as { value: string }).value);
  if (field.type === 'id') {
    const ids = new Set<string>();
    for (const v of values) {
      const id = canonicalId(v);
      if (id && keyPrefixOf(id) === table.type.keyPrefix && table.get(id)) ids.add(id);
    }
    return [...ids];
  }
  if (!table.isIndexedField(field.name)) return null;
  const ids = new Set<string>();
  for (const v of values) for (const id of table.lookup(field, v)) ids.add(id);
  return [...ids];
}

function execute(
  org: Org,
  table: Table,
  query: Query,
  options: { includeDeleted: boolean; now?: number },
): QueryResult {
  const type = table.type;
  const now = options.now ?? org.now();
  const counts = query.select.filter(
    (s): s is Extract<SelectItem, { kind: 'count' }> => s.kind === 'count',
  );
  if (counts.length > 0 && query.select.length > counts.length) {
    const field = query.select.find((s) => s.kind === 'field');
    throw new SoqlError(
      'MALFORMED_QUERY',
      `Field must be grouped or aggregated: ${field?.kind === 'field' ? field.field.path : ''}`,
      field?.kind === 'field' ? field.field.pos : null,
    );
  }
  const selected = query.select.flatMap((s) =>
    s.kind === 'field' ? [resolve(org, type, s.field)] : [],
  );
  if (selected.some((r) => r.field.type === 'address' && r.hops.length > 0)) {
    throw new SoqlError(
      'MALFORMED_QUERY',
      'compound address fields through relationships are not supported by the Tandem Salesforce emulator',
    );
  }
  const predicate = query.where ? compile(org, type, query.where, now) : null;
  const order = query.orderBy.map((o) => {
    const r = resolve(org, type, o.field);
    if (r.field.json['sortable'] === false) {
      throw new SoqlError(
        'INVALID_FIELD',
        `field '${r.field.name}' can not be sorted in a query call`,
        o.field.pos,
      );
    }
    return { ...o, r };
  });
  if (query.offset !== null && query.offset > 2000) {
    throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');
  }
  const pool = candidates(org, table, query.where);
  const ids: string[] = [];
  let scanned = 0;
  const visit = (id: string, row: Row): void => {
    scanned++;
    if (!options.includeDeleted && row['IsDeleted'] === true) return;
    if (predicate && !predicate(row)) return;
    ids.push(id);
  };
  if (pool) {
    for (const id of pool) {
      const row = table.get(id);
      if (row) visit(id, row);
    }
  } else {
    for (const [id, row] of table.rows) visit(id, row);
  }
  if (order.length > 0) {
    const keys = new Map<string, Value[]>();
    for (const id of ids) {
      const row = table.get(id) as Row;
      keys.set(
        id,
        order.map((o) => normalise(o.r.field, o.r.get(row))),
      );
    }
    ids.sort((a, b) => {
      const ka = keys.get(a) as Value[];
      const kb = keys.get(b) as Value[];
      for (let i = 0; i < order.length; i++) {
        const o = order[i] as (typeof order)[number];
        const va = ka[i] ?? null;
        const vb = kb[i] ?? null;
        if (va === vb) continue;
        if (va === null) return o.nullsLast ? 1 : -1;
        if (vb === null) return o.nullsLast ? -1 : 1;
        const c = compare(va, vb);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
  }
  const start = query.offset ?? 0;
  const sliced = ids.slice(start, query.limit !== null ? start + query.limit : undefined);
  if (counts.length > 0) {
    const countItem = counts[0] as Extract<SelectItem, { kind: 'count' }>;
    if (countItem.field === null) {
      return {
        type,
        columns: [],
        ids: [],
        scanned,
        count: sliced.length,
        aggregate: null,
        project: () => ({}),
      };
    }
    const r = resolve(org, type, countItem.field);
    const n = sliced.filter((id) => r.get(table.get(id) as Row) !== null).length;
    const aggregate = { attributes: { type: 'AggregateResult' }, [countItem.alias ?? 'expr0']: n };
    return {
      type,
      columns: [countItem.alias ?? 'expr0'],
      ids: [],
      scanned,
      count: null,
      aggregate,
      project: () => ({}),
    };
  }
  return {
    type,
    columns: selected.map((r) =>
      [...r.hops.map((h) => h.relationshipName), r.field.name].join('.'),
    ),
    ids: sliced,
    scanned,
    count: null,
    aggregate: null,
    project: (row, version) => project(org, type, selected, row, version),
  };
}

function project(
  org: Org,
  type: SObjectType,
  selected: readonly Resolved[],
  row: Row,
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: attributes(type.name, row['Id'] ?? null, version),
  };
  for (const r of selected) {
    if (r.hops.length === 0) {
      out[r.field.name] =
        r.field.type === 'address' ? renderValue(type, row, r.field) : (row[r.field.name] ?? null);
      continue;
    }
    // Parent fields nest under the relationship name; a missing parent renders as null.
    let target = out;
    let current: Row = row;
    let reached = true;
    for (const hop of r.hops) {
      const relName = hop.relationshipName as string;
      const id = current[hop.name];
      const found = typeof id === 'string' ? org.locate(id) : undefined;
      if (!found?.row) {
        if (target[relName] === undefined) target[relName] = null;
        reached = false;
        break;
      }
      if (target[relName] === undefined || target[relName] === null) {
        target[relName] = { attributes: attributes(found.table.type.name, found.id, version) };
      }
      target = target[relName] as Record<string, unknown>;
      current = found.row;
    }
    if (reached) target[r.field.name] = current[r.field.name] ?? null;
  }
  return out;
}
