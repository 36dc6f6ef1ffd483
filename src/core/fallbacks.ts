/**
 * Fallbacks for Salesforce's required Lead fields, so a Lead can always be created and a
 * required field is never blanked: LastName from the name or the email's local part, Company
 * from the person's Intercom company or the placeholder setting.
 */
import type { IntercomContact } from './intercom.ts';
import { isEmpty } from './values.ts';

export type FallbackSource = 'name' | 'email_local_part' | 'company' | 'placeholder' | 'unknown';

export interface Fallback {
  readonly value: string;
  readonly source: FallbackSource;
}

export function lastNameFallback(contact: IntercomContact): Fallback {
  if (!isEmpty(contact.name)) return { value: contact.name!.trim(), source: 'name' };
  const local = contact.email?.split('@')[0]?.trim() ?? '';
  if (local !== '') return { value: local, source: 'email_local_part' };
  // Salesforce refuses a Lead without LastName; something neutral beats a failed create.
  return { value: '[unknown]', source: 'unknown' };
}

export function companyFallback(contact: IntercomContact, placeholder: string): Fallback {
  const company = contact.companies.find((item) => !isEmpty(item.name));
  if (company) return { value: company.name!.trim(), source: 'company' };
  return { value: placeholder, source: 'placeholder' };
}

/** The fallback for a required Lead field, or undefined for a field without one. */
export function requiredFieldFallback(
  field: string,
  contact: IntercomContact,
  companyPlaceholder: string,
): Fallback | undefined {
  if (field === 'LastName') return lastNameFallback(contact);
  if (field === 'Company') return companyFallback(contact, companyPlaceholder);
  return undefined;
}
