import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import { idOf, startCustomisedHarness, type Connection, type Harness } from './helpers.ts';

interface CdcMessage {
  schema: string;
  payload: { ChangeEventHeader: Record<string, unknown>; [field: string]: unknown };
  event: { replayId: number };
}

/** A faye subscription is a thenable that settles once the server confirms it. */
async function subscribed(subscription: unknown): Promise<void> {
  await (subscription as PromiseLike<unknown>);
}

/** Collects messages and lets a test wait until some have arrived. */
function collector(): {
  messages: CdcMessage[];
  listener: (m: unknown) => void;
  waitFor(n: number): Promise<CdcMessage[]>;
} {
  const messages: CdcMessage[] = [];
  const waiters: (() => void)[] = [];
  return {
    messages,
    listener: (m) => {
      messages.push(m as CdcMessage);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(n) {
      const deadline = Date.now() + 5000;
      while (messages.length < n) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${n} messages, got ${messages.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return messages.slice(0, n);
    },
  };
}

describe('Change Data Capture over CometD', () => {
  let h: Harness;
  let conn: Connection;
  before(async () => {
    h = await startCustomisedHarness();
    conn = await h.connect({ callOptions: { client: 'tandem' } });
  });
  after(async () => {
    // jsforce keeps one faye client per channel type, reconnecting forever unless disconnected.
    const clients = (
      conn.streaming as unknown as { _fayeClients: Record<string, { disconnect(): void }> }
    )._fayeClients;
    for (const client of Object.values(clients)) client.disconnect();
    // Let the disconnects reach the server, which then answers the pending long polls.
    await new Promise((r) => setTimeout(r, 200));
    await h.close();
  });

  it('delivers CREATE, UPDATE and DELETE events with the real ChangeEventHeader to a jsforce subscriber', async () => {
    const c = collector();
    const subscription = conn.streaming.topic('/data/LeadChangeEvent').subscribe(c.listener);
    await subscribed(subscription);
    const id = idOf(
      await conn
        .sobject('Lead')
        .create({ LastName: 'Streamed', Company: 'CDC', Email: 'cdc@example.com' }),
    );
    await conn
      .sobject('Lead')
      .update({ Id: id, Email: null, Title: 'CTO', LastName: 'Renamed', City: 'Paris' });
    await conn.sobject('Lead').destroy(id);
    await h.control(`undelete/${id}`, {});
    const [created, updated, deleted, undeleted] = await c.waitFor(4);
    subscription.cancel();
    const header = created?.payload.ChangeEventHeader ?? {};
    assert.equal(header['entityName'], 'Lead');
    assert.deepEqual(header['recordIds'], [id]);
    assert.equal(header['changeType'], 'CREATE');
    assert.equal(header['changeOrigin'], 'com/salesforce/api/rest/59.0;client=tandem');
    assert.equal(header['commitUser'], conn.userInfo?.id);
    assert.equal(typeof header['commitTimestamp'], 'number');
    assert.equal(typeof header['transactionKey'], 'string');
    assert.equal(header['sequenceNumber'], 1);
    // Compound fields are nested, and a CREATE carries every field, null when empty.
    assert.deepEqual(created?.payload['Name'], {
      Salutation: null,
      FirstName: null,
      LastName: 'Streamed',
    });
    assert.equal(created?.payload['Title'], null);
    assert.equal(created?.payload['Company'], 'CDC');
    assert.equal(created?.payload['Address'], null);
    assert.equal('LastName' in (created?.payload ?? {}), false);
    assert.equal(typeof created?.event.replayId, 'number');
    const u = updated?.payload.ChangeEventHeader ?? {};
    assert.equal(u['changeType'], 'UPDATE');
    assert.deepEqual([...(u['changedFields'] as string[])].sort(), [
      'Address.City',
      'Email',
      'LastModifiedDate',
      'Name.LastName',
      'Title',
    ]);
    assert.deepEqual(u['nulledFields'], ['Email']);
    assert.equal(updated?.payload['Title'], 'CTO');
    assert.deepEqual(updated?.payload['Name'], { LastName: 'Renamed' });
    assert.deepEqual(updated?.payload['Address'], { City: 'Paris' });
    assert.equal(deleted?.payload.ChangeEventHeader['changeType'], 'DELETE');
    assert.equal(undeleted?.payload.ChangeEventHeader['changeType'], 'UNDELETE');
    assert.deepEqual(undeleted?.payload['Name'], {
      Salutation: null,
      FirstName: null,
      LastName: 'Renamed',
    });
    assert.ok((updated?.event.replayId ?? 0) > (created?.event.replayId ?? 0));
  });

  it('publishes changes made by collections, bulk and the control plane too, on /data/ChangeEvents', async () => {
    const c = collector();
    const subscription = conn.streaming.topic('/data/ChangeEvents').subscribe(c.listener);
    await subscribed(subscription);
    const lead = idOf(
      await conn
        .sobject('Lead')
        .create({ FirstName: 'To', LastName: 'Convert', Company: 'Conv Co' }),
    );
    await conn.sobject('Contact').create([{ LastName: 'Coll1' }, { LastName: 'Coll2' }]);
    await h.control(`leads/${lead}/convert`, {});
    const messages = await c.waitFor(6);
    subscription.cancel();
    const summary = messages.map(
      (m) =>
        `${String(m.payload.ChangeEventHeader['entityName'])}:${String(m.payload.ChangeEventHeader['changeType'])}`,
    );
    assert.deepEqual(summary, [
      'Lead:CREATE',
      'Contact:CREATE',
      'Contact:CREATE',
      'Account:CREATE',
      'Contact:CREATE',
      'Lead:UPDATE',
    ]);
    const conversion = messages[5]?.payload.ChangeEventHeader ?? {};
    assert.equal(conversion['changeOrigin'], 'com/salesforce/ui');
    assert.ok((conversion['changedFields'] as string[]).includes('IsConverted'));
    // The conversion's three changes share one transaction, in order.
    assert.deepEqual(
      messages.slice(3).map((m) => m.payload.ChangeEventHeader['sequenceNumber']),
      [1, 2, 3],
    );
    assert.equal(
      new Set(messages.slice(3).map((m) => m.payload.ChangeEventHeader['transactionKey'])).size,
      1,
    );
  });

  it('replays retained events after a given replayId when a client reconnects', async () => {
    const first = collector();
    const live = conn.streaming.topic('/data/ContactChangeEvent').subscribe(first.listener);
    await subscribed(live);
    const a = idOf(await conn.sobject('Contact').create({ LastName: 'Replay A' }));
    const [seen] = await first.waitFor(1);
    live.cancel();
    // While nobody listens, two more changes happen.
    const b = idOf(await conn.sobject('Contact').create({ LastName: 'Replay B' }));
    await conn.sobject('Contact').update({ Id: a, Title: 'Missed' });
    const replayed = collector();
    const client = conn.streaming.createClient([
      new StreamingExtension.Replay('/data/ContactChangeEvent', seen?.event.replayId ?? 0),
    ]);
    const sub = client.subscribe('/data/ContactChangeEvent', replayed.listener);
    const messages = await replayed.waitFor(2);
    sub.cancel();
    (client as unknown as { disconnect(): void }).disconnect();
    assert.deepEqual(
      messages.map((m) => m.payload.ChangeEventHeader['recordIds']),
      [[b], [a]],
    );
    assert.deepEqual(
      messages.map((m) => m.payload.ChangeEventHeader['changeType']),
      ['CREATE', 'UPDATE'],
    );
  });

  it('refuses a channel that does not exist and a replayId it does not hold', async () => {
    const refused = async (channel: string, replayId?: number): Promise<string> => {
      const extensions =
        replayId === undefined ? [] : [new StreamingExtension.Replay(channel, replayId)];
      const client = conn.streaming.createClient(extensions);
      try {
        await (client.subscribe(channel, () => undefined) as unknown as PromiseLike<unknown>);
        return 'subscribed';
      } catch (error) {
        return String((error as { message?: string }).message ?? error);
      } finally {
        (client as unknown as { disconnect(): void }).disconnect();
      }
    };
    assert.match(await refused('/data/NopeChangeEvent'), /does not exist/);
    assert.match(
      await refused('/data/LeadChangeEvent', 999_999),
      /replayId \{999999\} you provided was invalid/,
    );
  });

  it('refuses a handshake with an invalid token, with reconnect none', async () => {
    const failures: unknown[] = [];
    const expired = new (conn.constructor as new (o: object) => Connection)({
      instanceUrl: h.url,
      accessToken: 'invalid',
      version: '59.0',
    });
    const client = expired.streaming.createClient([
      new StreamingExtension.AuthFailure((m: unknown) => failures.push(m)),
    ]);
    client.subscribe('/data/LeadChangeEvent', () => undefined);
    const deadline = Date.now() + 5000;
    while (failures.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    (client as unknown as { disconnect(): void }).disconnect();
    assert.equal(failures.length > 0, true);
  });
});
