/**
 * The Lead threshold rule: which Intercom people become Salesforce Leads, so casual chats do
 * not pollute the CRM. Every part of the rule must hold.
 */
import { readIntercomValue, type IntercomContact } from './intercom.ts';
import type { ThresholdCondition, ThresholdRule } from './settings.ts';
import { isEmpty } from './values.ts';

export const thresholdFailures = [
  'no_email',
  'role_not_allowed',
  'missing_tag',
  'condition_not_met',
] as const;
export type ThresholdFailure = (typeof thresholdFailures)[number];

export type ThresholdResult =
  | { readonly passes: true }
  | { readonly passes: false; readonly failure: ThresholdFailure; readonly detail: string };

export function evaluateCondition(
  contact: IntercomContact,
  condition: ThresholdCondition,
): boolean {
  const actual = readIntercomValue(contact, condition.attribute);
  const expected = condition.value;
  switch (condition.operator) {
    case 'exists':
      return !isEmpty(actual);
    case 'not_exists':
      return isEmpty(actual);
    case 'equals':
      return !isEmpty(actual) && String(actual).toLowerCase() === String(expected).toLowerCase();
    case 'not_equals':
      return isEmpty(actual) || String(actual).toLowerCase() !== String(expected).toLowerCase();
    case 'contains':
      return (
        !isEmpty(actual) && String(actual).toLowerCase().includes(String(expected).toLowerCase())
      );
    case 'greater_than':
    case 'less_than': {
      const a = Number(actual);
      const b = Number(expected);
      if (isEmpty(actual) || Number.isNaN(a) || Number.isNaN(b)) return false;
      return condition.operator === 'greater_than' ? a > b : a < b;
    }
  }
}

export function passesThreshold(contact: IntercomContact, rule: ThresholdRule): ThresholdResult {
  if (rule.requireEmail && isEmpty(contact.email)) {
    return { passes: false, failure: 'no_email', detail: 'the person has no email' };
  }
  if (!rule.roles.includes(contact.role)) {
    return {
      passes: false,
      failure: 'role_not_allowed',
      detail: `role ${contact.role} is not one of ${rule.roles.join(', ')}`,
    };
  }
  if (rule.tagsAny.length > 0) {
    const tags = new Set(contact.tags.map((tag) => tag.toLowerCase()));
    if (!rule.tagsAny.some((tag) => tags.has(tag.toLowerCase()))) {
      return {
        passes: false,
        failure: 'missing_tag',
        detail: `none of the tags ${rule.tagsAny.join(', ')}`,
      };
    }
  }
  for (const condition of rule.conditions) {
    if (!evaluateCondition(contact, condition)) {
      const value = condition.value === undefined ? '' : ` ${String(condition.value)}`;
      return {
        passes: false,
        failure: 'condition_not_met',
        detail: `${condition.attribute} ${condition.operator}${value}`,
      };
    }
  }
  return { passes: true };
}
