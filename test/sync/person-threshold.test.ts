import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unwrap } from '../../src/connectors/index.ts';
import { startSyncWorld, type SyncWorld } from './support.ts';

describe('people sync: the Lead threshold on tags', () => {
  let w: SyncWorld;
  before(async () => {
    w = await startSyncWorld();
    await w.setSettings({ leadCreation: { threshold: { tagsAny: ['Qualified'] } } });
  });
  after(() => w.close());

  const intercomApi = async (path: string, body: unknown) => {
    const response = await fetch(`${w.ic.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${w.ic.credentials.accessToken}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { id: string };
  };

  it('creates a Lead for an Intercom lead with a qualifying tag, and skips an untagged one', async () => {
    const tagged = unwrap(
      await w.intercom.createContact({ role: 'lead', email: 'tagged@example.test' }),
    );
    const untagged = unwrap(
      await w.intercom.createContact({ role: 'lead', email: 'plain@example.test' }),
    );
    const tag = await intercomApi('/tags', { name: 'qualified' });
    await intercomApi(`/contacts/${tagged.id}/tags`, { id: tag.id });

    await w.runIntercom(tagged.id);
    await w.runIntercom(untagged.id);

    const emails = (await w.records('Lead')).map((lead) => lead['Email']);
    assert.ok(emails.includes('tagged@example.test'), 'the tagged lead became a Salesforce Lead');
    assert.ok(!emails.includes('plain@example.test'), 'the untagged lead did not');
    const skipped = (await w.events('sync.skipped')).filter(
      (e) => e.subject === `intercom:contact:${untagged.id}`,
    );
    assert.equal(skipped.length, 1);
    assert.match(JSON.stringify(skipped[0]!.data), /threshold/);
  });
});
