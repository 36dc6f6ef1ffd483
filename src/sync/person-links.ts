// Applying the core's link decisions (conversion, merge, email change, deletion) to the stored
// links, optimistically: a link someone changed meanwhile makes the job run again from the top.
import type { IdentityLink, LinkDecision } from '../core/index.ts';
import type { IntercomConnector, SalesforceConnector } from '../connectors/index.ts';
import type { Link, LinksRepository, LinkWrite } from '../store/index.ts';
import { must } from './person-errors.ts';
import type { PersonLedger } from './person-ledger.ts';

/** Thrown when a link changed between read and write: the job is retried with the engine's backoff. */
export class LinkChangedError extends Error {
  override readonly name = 'LinkChangedError';
}

export const identityOf = (link: Link): IdentityLink => ({
  intercomId: link.intercomId,
  salesforceId: link.salesforceId,
  salesforceType: link.salesforceType,
});

export function written(write: LinkWrite, what: string): Link {
  if (write.ok) return write.link;
  if (write.reason === 'already_linked')
    throw new LinkChangedError(
      `${what}: already linked (${write.existing.intercomId} ↔ ${write.existing.salesforceId})`,
    );
  throw new LinkChangedError(`${what}: ${write.reason}`);
}

export interface LinkContext {
  readonly links: LinksRepository;
  readonly ledger: PersonLedger;
  readonly salesforce: SalesforceConnector;
  readonly intercom: IntercomConnector;
}

/**
 * Stores a decision and records it; answers the live link afterwards (null once dropped). A
 * move onto a record another link holds drops this link instead (`target_already_linked`).
 */
export async function applyLinkDecision(
  ctx: LinkContext,
  link: Link,
  decision: LinkDecision,
): Promise<Link | null> {
  if (decision.action === 'keep') return link;
  if (decision.action === 'move') {
    const { from, to } = decision;
    const side =
      to.salesforceId !== from.salesforceId
        ? ({ system: 'salesforce', id: to.salesforceId, type: to.salesforceType } as const)
        : ({ system: 'intercom', id: to.intercomId } as const);
    // The new record's values are not what the old one held: the next plan starts afresh.
    const moved = await ctx.links.move(link.id, side, {
      expectedVersion: link.version,
      state: null,
    });
    if (!moved.ok && moved.reason === 'already_linked') {
      return applyLinkDecision(ctx, link, {
        action: 'drop',
        link: from,
        reason: 'target_already_linked',
        deleteOnOtherSide: null,
      });
    }
    const result = written(moved, 'move link');
    await ctx.ledger.linkDecision(decision);
    return result;
  }
  written(await ctx.links.drop(link.id, decision.reason, link.version), 'drop link');
  await ctx.ledger.linkDecision(decision);
  const other = decision.deleteOnOtherSide;
  if (other?.system === 'salesforce') {
    const [deleted] = await ctx.salesforce.destroy(link.salesforceType, [other.id]);
    if (deleted && !(deleted.ok || deleted.error.code === 'not_found'))
      must('delete_salesforce', deleted);
  } else if (other?.system === 'intercom') {
    const deleted = await ctx.intercom.deleteContact(other.id);
    if (!deleted.ok && deleted.error.code !== 'not_found') must('delete_contact', deleted);
  }
  return null;
}
