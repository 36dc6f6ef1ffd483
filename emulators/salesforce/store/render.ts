// Records as the REST API renders them: attributes first, compound address values, nulls shown.
import type { Field } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';
import type { Row, Value } from './table.ts';

const addressParts: Record<string, string> = {
  Street: 'street',
  City: 'city',
  State: 'state',
  StateCode: 'stateCode',
  PostalCode: 'postalCode',
  Country: 'country',
  CountryCode: 'countryCode',
  Latitude: 'latitude',
  Longitude: 'longitude',
  GeocodeAccuracy: 'geocodeAccuracy',
};

export function attributes(
  type: string,
  id: Value,
  version: string,
): { type: string; url: string } {
  return { type, url: `/services/data/v${version}/sobjects/${type}/${String(id)}` };
}

/** The value of a field in a rendered record (a compound address is built from its parts). */
export function renderValue(type: SObjectType, row: Row, field: Field): unknown {
  if (field.type !== 'address') return row[field.name] ?? null;
  const prefix = field.name.slice(0, -'Address'.length);
  const value: Record<string, Value> = {};
  let any = false;
  for (const [suffix, key] of Object.entries(addressParts)) {
    const part = type.field(prefix + suffix);
    if (!part && suffix !== 'StateCode' && suffix !== 'CountryCode') continue;
    const v = part ? (row[part.name] ?? null) : null;
    if (v !== null) any = true;
    value[key] = v;
  }
  return any ? value : null;
}

/** The whole record (every field, as GET /sobjects/{T}/{id} returns it) or chosen fields. */
export function renderRecord(
  type: SObjectType,
  row: Row,
  version: string,
  fields?: readonly Field[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: attributes(type.name, row['Id'] ?? null, version),
  };
  for (const field of fields ?? type.fields) out[field.name] = renderValue(type, row, field);
  return out;
}
