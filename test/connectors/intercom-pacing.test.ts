// The pacer through the real connector and SDK, against the Intercom emulator's rate limit.
// Time runs ten times faster for the emulator, the connector and the pacer alike (one clock), so
// that several 10-second windows pass in a few seconds: the pacer sees the same headers and the
// same windows it would see in real time, only sooner.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import {
  createIntercomConnector,
  createIntercomPacers,
  type IntercomConnector,
  type PacerClock,
} from '../../src/connectors/intercom/index.ts';

const speed = 10;
const started = Date.now();
const fast: PacerClock = {
  now: () => started + (Date.now() - started) * speed,
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms / speed);
    return () => clearTimeout(timer);
  },
};

interface Stats {
  readonly rate_limited: number;
  readonly calls: Record<string, number>;
}

describe('Intercom connector pacing', () => {
  let emu: IntercomEmulator;
  let contactIds: string[];
  const control = async <T>(path: string, body?: unknown, method?: string): Promise<T> => {
    const res = await fetch(`${emu.url}/__emulator${path}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as T;
  };

  before(async () => {
    emu = await startIntercomEmulator({
      port: 0,
      seed: 'demo',
      demoSize: { contacts: 40, companies: 1, conversations: 0 },
      clock: fast.now,
      rateLimitPerMinute: 600, // 100 calls per 10-second window
    });
    const dump = await control<{ data: { id: string }[] }>('/contacts');
    contactIds = dump.data.map((contact) => contact.id);
  });
  after(async () => {
    await emu.close();
  });

  it('keeps 40 concurrent callers on two connectors of one workspace under the limit: every update succeeds and no 429 comes back', async () => {
    const pacers = createIntercomPacers({ clock: fast });
    const open = () =>
      createIntercomConnector({
        baseUrl: emu.url,
        accessToken: emu.credentials.accessToken,
        now: fast.now,
        pacer: pacers.forConnection(emu.url, emu.credentials.accessToken),
      });
    // As people sync and change capture each open their own connector for the same workspace.
    const connectors: IntercomConnector[] = [open(), open()];
    const total = 250;
    let next = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, caller) => {
        const ic = connectors[caller % 2];
        assert.ok(ic);
        while (next < total) {
          next += 1;
          const id = contactIds[caller % contactIds.length];
          assert.ok(id);
          const result = await ic.updateContact(id, { name: `Caller ${caller} call ${next}` });
          if (!result.ok) failures.push(`${result.error.code}: ${result.error.message}`);
        }
      }),
    );

    const stats = await control<Stats>('/stats');
    const updates = Object.entries(stats.calls)
      .filter(([endpoint]) => endpoint.startsWith('PUT'))
      .reduce((sum, [, count]) => sum + count, 0);
    assert.deepEqual(failures, []);
    assert.equal(stats.rate_limited, 0);
    assert.equal(updates, total);
    const usage = pacers.usage();
    assert.ok(usage);
    assert.equal(usage.calls, total);
    assert.equal(usage.rateLimited, 0);
    assert.equal(usage.limit, 600);
    assert.equal(usage.perWindow, 100);
  });
});
