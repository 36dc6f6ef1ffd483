// Building SOQL from values that come from outside (emails, identifiers): every literal goes
// through `quote`, every name through `name`, so a value can never change the query's shape.

// SOQL's escape sequences inside a quoted literal (Salesforce "Quoted String Escape Sequences").
const escapes: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A SOQL string literal: `O'Brien` → `'O\'Brien'`. */
export function quote(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => escapes[c] ?? c)}'`;
}

/** A field or object API name (`Email`, `Intercom_Id__c`, `Owner.Email`); anything else is a bug. */
export function name(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/.test(value))
    throw new Error(`not a Salesforce API name: ${JSON.stringify(value)}`);
  return value;
}

export function selectList(fields: readonly string[]): string {
  if (fields.length === 0) throw new Error('a SOQL query needs at least one field');
  return [...new Set(fields.map(name))].join(', ');
}

/** `SELECT … FROM object WHERE field IN (…)` for one chunk of values. */
export function selectWhereIn(
  object: string,
  fields: readonly string[],
  field: string,
  values: readonly string[],
): string {
  if (values.length === 0) throw new Error('selectWhereIn needs at least one value');
  return `SELECT ${selectList(fields)} FROM ${name(object)} WHERE ${name(field)} IN (${values.map(quote).join(', ')})`;
}

/** A datetime literal (unquoted in SOQL): `2026-01-31T12:00:00Z`. */
export function datetime(value: Date): string {
  return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
