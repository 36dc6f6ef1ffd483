/**
 * Planning (issue 5, point 5): from the current state of both sides, what to write where.
 * Applies directions, skip options, conflict policies, required-field fallbacks, the Lead
 * threshold and echo detection. The caller applies the plan, then stores `nextState`.
 */
import { planLeadCreation } from './plan-create.ts';
import { emptyPlan } from './plan-support.ts';
import type { PersonPlan, PlanInput } from './plan-types.ts';
import { planUpdate } from './plan-update.ts';

export * from './plan-types.ts';

/**
 * The plan for one person: create a Lead (no Salesforce record yet), update the linked pair,
 * or skip with a reason. `input.intercom` and `input.salesforce` are the current records.
 */
export function planPersonSync(input: PlanInput): PersonPlan {
  const { intercom, salesforce } = input;
  if (intercom === null) {
    return emptyPlan([
      { reason: 'no_counterpart', mapping: null, detail: 'Tandem does not create Intercom people' },
    ]);
  }
  if (salesforce === null) return planLeadCreation(input, intercom);
  if (salesforce.type === 'Lead' && salesforce.isConverted) {
    return emptyPlan([
      {
        reason: 'converted_lead',
        mapping: null,
        detail: `Lead ${salesforce.id} was converted; its link moves to Contact ${salesforce.convertedContactId ?? '(unknown)'}`,
      },
    ]);
  }
  return planUpdate(input, intercom, salesforce);
}
