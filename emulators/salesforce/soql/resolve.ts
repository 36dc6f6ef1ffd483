// Field paths of a query (`Email`, `Owner.Email`, `Account.Owner.Name`) resolved against the
// schema, with a getter that walks parent relationships at run time.
import type { Org } from '../org.ts';
import type { Field } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';
import { renderValue } from '../store/render.ts';
import type { Row, Value } from '../store/table.ts';
import { SoqlError } from './lexer.ts';
import type { FieldRef } from './parser.ts';

export interface Resolved {
  /** Relationship fields walked from the root, then the final field. */
  readonly hops: readonly Field[];
  readonly field: Field;
  readonly type: SObjectType;
  get(row: Row): Value;
  /** Row of the record owning the final field, or null when a parent is missing. */
  owner(row: Row): { row: Row; type: SObjectType } | null;
}

const noSuchColumn = (name: string, entity: string): string =>
  `No such column '${name}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`;

export function resolve(org: Org, root: SObjectType, ref: FieldRef): Resolved {
  const parts = ref.path.split('.');
  const hops: Field[] = [];
  let type = root;
  for (const part of parts.slice(0, -1)) {
    const rel = type.relationships.get(part.toLowerCase());
    const target = rel?.referenceTo.map((t) => org.type(t)).find((t) => t !== undefined);
    if (!rel || !target) {
      throw new SoqlError(
        'INVALID_FIELD',
        `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        ref.pos,
      );
    }
    hops.push(rel);
    type = target;
  }
  const last = parts[parts.length - 1] as string;
  const field = type.field(last);
  if (!field) throw new SoqlError('INVALID_FIELD', noSuchColumn(last, type.name), ref.pos);
  const finalType = type;
  const owner = (row: Row): { row: Row; type: SObjectType } | null => {
    let current: Row = row;
    let currentType = root;
    for (const hop of hops) {
      const id = current[hop.name];
      if (typeof id !== 'string') return null;
      const found = org.locate(id);
      if (!found?.row) return null;
      current = found.row;
      currentType = found.table.type;
    }
    return { row: current, type: currentType };
  };
  const name = field.name;
  const get =
    hops.length === 0
      ? field.type === 'address'
        ? (row: Row) => renderValue(root, row, field) as Value
        : (row: Row) => row[name] ?? null
      : (row: Row) => {
          const o = owner(row);
          return o ? (o.row[name] ?? null) : null;
        };
  return { hops, field, type: finalType, get, owner };
}
