// Custom attributes can only be written when a data attribute of that name exists for the
// model, with a value of its type (2.4 docs: "You can only write to custom data attributes
// that already exist on the workspace"). The exact wording of Intercom's error for contacts is
// not published; the conversation equivalent ("Conversation attribute 'x' does not exist",
// intercom-node#349) is followed.
import { badRequest } from './errors.ts';
import type { Body } from './input.ts';
import type { DataType, Workspace } from './state.ts';

const accepts: Record<DataType, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  integer: (value) => typeof value === 'number' && Number.isInteger(value),
  float: (value) => typeof value === 'number' && Number.isFinite(value),
  boolean: (value) => typeof value === 'boolean',
  date: (value) => typeof value === 'number' && Number.isInteger(value),
};

export function checkCustomAttributes(
  ws: Workspace,
  model: 'contact' | 'company',
  values: Body | null | undefined,
): Body | null | undefined {
  if (values === undefined || values === null) return values;
  const label = model === 'contact' ? 'Contact' : 'Company';
  for (const [name, value] of Object.entries(values)) {
    const attribute = ws.customAttribute(model, name);
    if (attribute === undefined || attribute.archived)
      throw badRequest(`${label} attribute '${name}' does not exist`, 'parameter_invalid', name);
    if (value === null) continue;
    if (!accepts[attribute.data_type](value))
      throw badRequest(
        `${label} attribute '${name}' must be of type ${attribute.data_type}`,
        'parameter_invalid',
        name,
      );
    if (attribute.options.length > 0 && !attribute.options.includes(String(value)))
      throw badRequest(
        `'${String(value)}' is not an option of ${label.toLowerCase()} attribute '${name}'`,
        'parameter_invalid',
        name,
      );
  }
  return values;
}
