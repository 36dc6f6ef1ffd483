// The control plane under /__emulator/ (no auth; the emulator's own): reset, seed, dump, faults,
// lead conversion, merge, token expiry, latency, limits, stats.
import type { Hono } from 'hono';
import { transact, type EmulatorContext } from '../context.ts';
import { canonicalId } from '../ids.ts';
import { renderRecord } from '../store/render.ts';
import type { Row } from '../store/table.ts';
import { formatDate } from '../store/values.ts';
import type { SaveResult } from '../write/errors.ts';
import type { Actor } from '../write/tx.ts';
import type { Faults, FaultSpec, Stats } from './faults.ts';

export interface ControlOptions {
  readonly ctx: EmulatorContext;
  readonly faults: Faults;
  readonly stats: Stats;
  readonly latency: { ms: number };
  /** Back to a fresh org with the given seed (the start seed when absent). */
  reset(seed?: string): void;
  /** Applies a preset name, or a seed spec object, on top of the current org. */
  seed(seed: unknown): Map<string, string>;
  saveState(): boolean;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
  });
}

async function body(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.trim() === '') return {};
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

function adminActor(ctx: EmulatorContext): Actor {
  const table = ctx.org.table('User');
  const field = table?.type.field('Username');
  const id = table && field ? (table.lookup(field, ctx.auth.credentials.username)[0] ?? '') : '';
  return { userId: id, origin: 'com/salesforce/ui' };
}

export function registerControl(app: Hono, options: ControlOptions): void {
  const { ctx, faults, stats } = options;
  const org = ctx.org;

  app.post('/__emulator/reset', async (c) => {
    const b = await body(c.req.raw);
    options.reset(typeof b['seed'] === 'string' ? b['seed'] : undefined);
    return json({ ok: true });
  });

  app.post('/__emulator/seed', async (c) => {
    const b = await body(c.req.raw);
    const refs = options.seed(typeof b['preset'] === 'string' ? b['preset'] : b);
    return json({ ok: true, refs: Object.fromEntries(refs) });
  });

  app.get('/__emulator/records/:object', (c) => {
    const table = org.table(c.req.param('object'));
    if (!table)
      return json(
        { error: { code: 'not_found', message: `unknown object ${c.req.param('object')}` } },
        404,
      );
    const includeDeleted = c.req.query('includeDeleted') === 'true';
    const records = [];
    for (const row of table.rows.values()) {
      if (!includeDeleted && row['IsDeleted'] === true) continue;
      records.push(renderRecord(table.type, row, '59.0'));
    }
    return json({ object: table.type.name, totalSize: records.length, records });
  });

  app.get('/__emulator/faults', () => json({ faults: faults.list() }));
  app.delete('/__emulator/faults', () => {
    faults.clear();
    return json({ ok: true });
  });
  app.post('/__emulator/faults', async (c) => {
    const spec = (await body(c.req.raw)) as unknown as FaultSpec;
    if (typeof spec.path !== 'string')
      return json({ error: { code: 'bad_request', message: 'path is required' } }, 400);
    const fault = faults.add(spec);
    return json({ id: fault.id }, 201);
  });

  app.post('/__emulator/expire-tokens', () => json({ expired: ctx.auth.expireAll() }));

  app.post('/__emulator/latency', async (c) => {
    const b = await body(c.req.raw);
    options.latency.ms = Math.max(0, Number(b['ms'] ?? 0));
    return json({ ms: options.latency.ms });
  });

  app.post('/__emulator/limits', async (c) => {
    const b = await body(c.req.raw);
    if (typeof b['max'] === 'number') ctx.limits.max = b['max'];
    if (typeof b['used'] === 'number') ctx.limits.usedCount = b['used'];
    return json({ used: ctx.limits.used, max: ctx.limits.max });
  });

  app.post('/__emulator/duplicate-rules/:name', async (c) => {
    const b = await body(c.req.raw);
    const rule = org.duplicateRules.find((r) => r.name === c.req.param('name'));
    if (!rule)
      return json(
        { error: { code: 'not_found', message: `no duplicate rule ${c.req.param('name')}` } },
        404,
      );
    rule.active = b['active'] !== false;
    return json(rule);
  });

  app.post('/__emulator/state/save', () => json({ saved: options.saveState() }));

  app.get('/__emulator/stats', () => {
    const records: Record<string, number> = {};
    for (const table of org.tables.values()) records[table.type.name] = table.liveCount;
    return json({
      calls: Object.fromEntries([...stats.calls].sort((a, b) => b[1] - a[1])),
      records,
      apiUsage: { used: ctx.limits.used, max: ctx.limits.max },
      process: {
        cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
        rssBytes: process.memoryUsage().rss,
      },
    });
  });

  app.post('/__emulator/leads/:id/convert', async (c) => {
    const b = await body(c.req.raw);
    const result = convertLead(ctx, adminActor(ctx), c.req.param('id'), b);
    return 'error' in result ? json(result, 400) : json(result);
  });

  app.post('/__emulator/undelete/:id', (c) => {
    const result = transact(
      org,
      (tx) => ctx.writer.undelete(tx, adminActor(ctx), c.req.param('id')),
      (r) => r.ok,
    );
    if (!result.ok) return json(saveFailure('undelete', result), 400);
    return json({ id: result.id });
  });

  app.post('/__emulator/merge', async (c) => {
    const b = await body(c.req.raw);
    const result = merge(ctx, adminActor(ctx), b);
    return 'error' in result ? json(result, 400) : json(result);
  });
}

type ControlError = { error: { code: string; message: string } };

function saveFailure(what: string, r: SaveResult): ControlError {
  const e = r.ok ? undefined : r.errors[0];
  return { error: { code: e?.code ?? 'error', message: `${what}: ${e?.message ?? ''}` } };
}

/** Lead conversion as Salesforce does it: Account and Contact created (or attached), Lead marked. */
export function convertLead(
  ctx: EmulatorContext,
  actor: Actor,
  rawId: string,
  options: Record<string, unknown>,
): ControlError | Record<string, unknown> {
  const org = ctx.org;
  const leadId = canonicalId(rawId);
  const lead = leadId ? org.table('Lead')?.get(leadId) : undefined;
  if (!leadId || !lead || lead['IsDeleted'] === true)
    return { error: { code: 'not_found', message: `no Lead ${rawId}` } };
  if (lead['IsConverted'] === true)
    return {
      error: { code: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead' },
    };
  let failure: ControlError | null = null;
  const out = transact(
    org,
    (tx) => {
      const w = ctx.writer;
      const take = (what: string, r: SaveResult): string | null => {
        if (r.ok) return r.id;
        failure = saveFailure(what, r);
        return null;
      };
      let accountId =
        typeof options['accountId'] === 'string' ? canonicalId(options['accountId']) : null;
      if (accountId && !org.table('Account')?.get(accountId)) {
        failure = {
          error: {
            code: 'INVALID_CROSS_REFERENCE_KEY',
            message: 'accountId: invalid cross reference id',
          },
        };
        return null;
      }
      if (!accountId) {
        accountId = take(
          'Account',
          w.create(tx, actor, 'Account', {
            Name: lead['Company'] ?? lead['LastName'],
            OwnerId: lead['OwnerId'] ?? actor.userId,
          }),
        );
        if (!accountId) return null;
      }
      let contactId =
        typeof options['contactId'] === 'string' ? canonicalId(options['contactId']) : null;
      if (contactId) {
        if (!org.table('Contact')?.get(contactId)) {
          failure = {
            error: {
              code: 'INVALID_CROSS_REFERENCE_KEY',
              message: 'contactId: invalid cross reference id',
            },
          };
          return null;
        }
      } else {
        const contact: Row = { AccountId: accountId };
        for (const f of [
          'FirstName',
          'LastName',
          'Salutation',
          'Email',
          'Phone',
          'MobilePhone',
          'Title',
          'LeadSource',
          'OwnerId',
          'Description',
        ]) {
          if (lead[f] !== undefined) contact[f] = lead[f] as Row[string];
        }
        contactId = take('Contact', w.create(tx, actor, 'Contact', contact));
        if (!contactId) return null;
      }
      let opportunityId: string | null = null;
      if (options['createOpportunity'] === true) {
        opportunityId = take(
          'Opportunity',
          w.create(tx, actor, 'Opportunity', {
            Name: `${String(lead['Company'] ?? lead['LastName'])}-`,
            AccountId: accountId,
            StageName: 'Prospecting',
            CloseDate: formatDate(org.now() + 30 * 86_400_000),
          }),
        );
        if (!opportunityId) return null;
      }
      const patch: Row = {
        IsConverted: true,
        ConvertedAccountId: accountId,
        ConvertedContactId: contactId,
        ConvertedDate: formatDate(org.now()),
        Status:
          typeof options['convertedStatus'] === 'string'
            ? options['convertedStatus']
            : 'Closed - Converted',
      };
      if (opportunityId) patch['ConvertedOpportunityId'] = opportunityId;
      const updated = w.update(tx, actor, 'Lead', leadId, patch, { trusted: true });
      if (!take('Lead', updated)) return null;
      return { leadId, accountId, contactId, opportunityId };
    },
    (r) => r !== null,
  );
  return out ?? failure ?? { error: { code: 'error', message: 'conversion failed' } };
}

/** Merges up to two losers into a master: children re-parented, losers deleted with MasterRecordId. */
export function merge(
  ctx: EmulatorContext,
  actor: Actor,
  b: Record<string, unknown>,
): ControlError | Record<string, unknown> {
  const org = ctx.org;
  const object = String(b['object'] ?? '');
  const table = org.table(object);
  if (!table || !['Lead', 'Contact', 'Account', 'Case'].includes(table.type.name)) {
    return {
      error: {
        code: 'INVALID_TYPE',
        message: `merge is supported for Lead, Contact, Account and Case, not ${object}`,
      },
    };
  }
  const masterId = canonicalId(String(b['masterId'] ?? ''));
  const losers = (Array.isArray(b['mergeIds']) ? b['mergeIds'] : []).map((x) =>
    canonicalId(String(x)),
  );
  if (!masterId || !table.get(masterId) || table.get(masterId)?.['IsDeleted'] === true)
    return {
      error: {
        code: 'INVALID_CROSS_REFERENCE_KEY',
        message: 'masterId: invalid cross reference id',
      },
    };
  if (
    losers.length === 0 ||
    losers.length > 2 ||
    losers.some(
      (id) => !id || id === masterId || !table.get(id) || table.get(id)?.['IsDeleted'] === true,
    )
  ) {
    return {
      error: {
        code: 'INVALID_CROSS_REFERENCE_KEY',
        message: 'mergeIds: one or two other live records of the same object are required',
      },
    };
  }
  const loserIds = losers as string[];
  let failure: ControlError | null = null;
  const ok = transact(
    org,
    (tx) => {
      for (const other of org.tables.values()) {
        const refs = other.type.fields.filter(
          (f) =>
            f.type === 'reference' &&
            f.referenceTo.includes(table.type.name) &&
            f.updateable &&
            f.name !== 'MasterRecordId',
        );
        if (refs.length === 0) continue;
        for (const [id, row] of other.rows) {
          if (row['IsDeleted'] === true) continue;
          const patch: Row = {};
          for (const f of refs)
            if (loserIds.includes(String(row[f.name]))) patch[f.name] = masterId;
          if (Object.keys(patch).length === 0) continue;
          const r = ctx.writer.update(tx, actor, other.type.name, id, patch, { trusted: true });
          if (!r.ok) {
            failure = saveFailure(`re-parent ${other.type.name} ${id}`, r);
            return false;
          }
        }
      }
      for (const loser of loserIds) {
        const r = ctx.writer.delete(tx, actor, table.type.name, loser);
        if (!r.ok) {
          failure = saveFailure(`delete ${loser}`, r);
          return false;
        }
        const row = table.get(loser) as Row;
        const previous = row;
        table.replace(loser, { ...row, MasterRecordId: masterId });
        tx.onUndo(() => table.replace(loser, previous));
      }
      return true;
    },
    (r) => r,
  );
  if (!ok) return failure ?? { error: { code: 'error', message: 'merge failed' } };
  return { masterId, mergedIds: loserIds };
}
