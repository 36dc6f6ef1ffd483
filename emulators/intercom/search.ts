// The search query language shared by contacts and conversations: a single filter
// {field, operator, value} or a group {operator: AND|OR, value: [...]}, at most two levels of
// nesting and 15 filters per group. Date fields match by calendar day in the workspace's
// timezone (UTC here), as the 2.14 description says: `=` is the whole day, `>` starts at the
// next day, `<` ends before that day, and `!= >= <= IN NIN` are refused.
import { ApiError } from './errors.ts';

/** `istring`: a string compared without regard to case (e-mail addresses). */
export type FieldKind = 'string' | 'istring' | 'integer' | 'float' | 'boolean' | 'date' | 'tag';
export interface FieldValue {
  kind: FieldKind;
  value: unknown;
}
/** Resolves a field name for one record; `undefined` means the field is unknown. */
export type FieldResolver<T> = (record: T, field: string) => FieldValue | undefined;
/** The kind of a field without a record, to validate the query once. */
export type FieldKinds = (field: string) => FieldKind | undefined;

const operators = ['=', '!=', 'IN', 'NIN', '<', '<=', '>', '>=', '~', '!~', '^', '$'] as const;
type Operator = (typeof operators)[number];

interface Filter {
  field: string;
  operator: Operator;
  value: unknown;
  kind: FieldKind;
}
interface Group {
  operator: 'AND' | 'OR';
  value: Node[];
}
type Node = Filter | Group;

const invalid = (message: string) => new ApiError(400, 'invalid_query', message);
const daySeconds = 86_400;
const day = (seconds: number) => Math.floor(seconds / daySeconds);

/** Validates the raw query and returns a compiled tree, or throws the error Intercom gives. */
export interface QueryOptions {
  /** Conversation search documents `>` and `<` as "greater (or equal)" and "lower (or equal)". */
  inclusiveComparisons?: boolean;
}

export function compileQuery(
  raw: unknown,
  kinds: FieldKinds,
  options: QueryOptions = {},
  depth = 0,
): Node {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('query must be an object with field, operator and value');
  const node = raw as Record<string, unknown>;
  const operator = node['operator'];
  if (operator === 'AND' || operator === 'OR') {
    if (depth >= 2) throw invalid('There is a limit of max 2 nested filters');
    const value = node['value'];
    if (!Array.isArray(value) || value.length === 0)
      throw invalid(`${operator} requires a non-empty array of filters as value`);
    if (value.length > 15)
      throw invalid('There is a limit of max 15 filters for each AND or OR group');
    return {
      operator,
      value: value.map((child) => compileQuery(child, kinds, options, depth + 1)),
    };
  }
  const field = node['field'];
  if (typeof field !== 'string') throw invalid('field must be a string');
  if (!operators.includes(operator as Operator))
    throw invalid(`operator must be one of ${operators.join(' ')}, AND, OR`);
  const op = operator as Operator;
  const kind = kinds(field);
  if (kind === undefined)
    throw new ApiError(400, 'invalid_field', `${field} is not a valid search field`);
  const value = node['value'];
  checkOperand(field, kind, op, value);
  const inclusive = options.inclusiveComparisons === true && kind !== 'date';
  const effective = inclusive && op === '>' ? '>=' : inclusive && op === '<' ? '<=' : op;
  return { field, operator: effective, value, kind };
}

function checkOperand(field: string, kind: FieldKind, op: Operator, value: unknown): void {
  if (kind === 'date' && ['!=', '>=', '<=', 'IN', 'NIN'].includes(op))
    throw invalid(`The ${op} operator is not supported on the date field ${field}`);
  if (kind === 'tag' && op !== '=' && op !== '!=')
    throw invalid(`${field} supports only the = and != operators`);
  if (['~', '!~', '^', '$'].includes(op) && kind !== 'string' && kind !== 'istring')
    throw invalid(`The ${op} operator applies to string fields only`);
  if (['<', '>', '<=', '>='].includes(op) && !['integer', 'float', 'date'].includes(kind))
    throw invalid(`The ${op} operator applies to number and date fields only`);
  const items = op === 'IN' || op === 'NIN' ? value : [value];
  if (!Array.isArray(items)) throw invalid(`${op} requires an array value`);
  for (const item of items) {
    if (item === null && (op === '=' || op === '!=')) continue;
    const ok =
      kind === 'date' || kind === 'integer' || kind === 'float'
        ? typeof item === 'number' ||
          (typeof item === 'string' && item.trim() !== '' && !Number.isNaN(Number(item)))
        : kind === 'boolean'
          ? typeof item === 'boolean' || item === 'true' || item === 'false'
          : typeof item === 'string' || typeof item === 'number';
    if (!ok) throw invalid(`The value for ${field} must be of type ${kind}`);
  }
}

/** Records an index can narrow a query to, before every record is matched against it:
 * `lookup(field, value)` answers for indexed fields (or undefined when it cannot). An AND
 * group narrows by its first indexable filter, an OR group when all its children can. */
export function candidates<T>(
  node: Node,
  lookup: (field: string, value: unknown) => T[] | undefined,
): T[] | undefined {
  if ('field' in node) {
    if (node.operator === '=' && node.value !== null) return lookup(node.field, node.value);
    if (node.operator === 'IN' && Array.isArray(node.value)) {
      const found: T[] = [];
      for (const value of node.value) {
        const some = lookup(node.field, value);
        if (some === undefined) return undefined;
        found.push(...some);
      }
      return [...new Set(found)];
    }
    return undefined;
  }
  if (node.operator === 'AND') {
    for (const child of node.value) {
      const found = candidates(child, lookup);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const union = new Set<T>();
  for (const child of node.value) {
    const found = candidates(child, lookup);
    if (found === undefined) return undefined;
    for (const item of found) union.add(item);
  }
  return [...union];
}

export function matches<T>(node: Node, record: T, resolve: FieldResolver<T>): boolean {
  if ('field' in node) return matchFilter(node, resolve(record, node.field));
  return node.operator === 'AND'
    ? node.value.every((child) => matches(child, record, resolve))
    : node.value.some((child) => matches(child, record, resolve));
}

function normalise(kind: FieldKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'date') return day(Number(value));
  if (kind === 'integer' || kind === 'float') return Number(value);
  if (kind === 'boolean') return value === true || value === 'true';
  return kind === 'istring' ? String(value).toLowerCase() : String(value);
}

const lower = (value: unknown) => String(value).toLowerCase();

function matchFilter(filter: Filter, found: FieldValue | undefined): boolean {
  const { operator: op, kind } = filter;
  if (kind === 'tag') {
    const tagIds = (found?.value as string[] | undefined) ?? [];
    const has = tagIds.includes(String(filter.value));
    return op === '=' ? has : !has;
  }
  const actual = normalise(kind, found?.value);
  const wanted = op === 'IN' || op === 'NIN' ? null : normalise(kind, filter.value);
  switch (op) {
    case '=':
      return actual === wanted;
    case '!=':
      return actual !== wanted;
    case 'IN':
    case 'NIN': {
      const list = (filter.value as unknown[]).map((item) => normalise(kind, item));
      return op === 'IN' ? list.includes(actual) : !list.includes(actual);
    }
    case '>':
      return actual !== null && wanted !== null && (actual as number) > (wanted as number);
    case '<':
      return actual !== null && wanted !== null && (actual as number) < (wanted as number);
    case '>=':
      return actual !== null && wanted !== null && (actual as number) >= (wanted as number);
    case '<=':
      return actual !== null && wanted !== null && (actual as number) <= (wanted as number);
    // Text operators ignore case.
    case '~':
      return typeof actual === 'string' && lower(actual).includes(lower(wanted));
    case '!~':
      return typeof actual !== 'string' || !lower(actual).includes(lower(wanted));
    case '^':
      return typeof actual === 'string' && lower(actual).startsWith(lower(wanted));
    case '$':
      return typeof actual === 'string' && lower(actual).endsWith(lower(wanted));
  }
}
