import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { waitFor } from '../queue/support/wait.ts';
import { runTandem, spawnTandem } from '../support/cli.ts';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Waits for a line; gives up after 90 s (a loaded CI machine starts the demo slowly). */
function waitForLine(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} in: ${seen}`)),
      90_000,
    );
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
  });
}

/** Stops a Tandem process the test left running (it failed before stopping it). */
function stopAtEnd(t: TestContext, child: ChildProcess): void {
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

describe('tandem serve', () => {
  it('serves health, readiness and the admin API, then stops cleanly on SIGTERM', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-serve-'));
    const port = await freePort();
    const child = spawnTandem(['serve', '--port', String(port)], {
      cwd: dir,
      env: { TANDEM_LOG_FORMAT: 'json' },
    });
    stopAtEnd(t, child);
    const stdout = child.stdout!;
    const tokenLine = waitForLine(stdout, /Admin API token[^\n]*: (tdm_\S+)/);
    await waitForLine(stdout, /Tandem is running at http:\/\/127\.0\.0\.1:\d+/);
    const token = /(tdm_\S+)/.exec(await tokenLine)![1]!;
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal((await fetch(`${base}/api/status`)).status, 401);
    const status = await fetch(`${base}/api/status`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { database: string }).database, 'sqlite');
    const exit = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exit;
    assert.equal(code, 0);

    // The token is printed once: a second start does not show it again, and the first still works.
    const again = spawnTandem(['serve', '--port', String(port)], { cwd: dir });
    stopAtEnd(t, again);
    let output = '';
    again.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForLine(again.stdout!, /Tandem is running/);
    assert.doesNotMatch(output, /Admin API token/);
    const reused = await fetch(`${base}/api/status`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(reused.status, 200);
    again.kill('SIGINT');
    assert.equal((await once(again, 'exit'))[0], 0);
  });

  it('says clearly when its port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runTandem(['serve', '--port', String(port)], {
        cwd: mkdtempSync(join(tmpdir(), 'tandem-serve-')),
      });
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(`^tandem: TANDEM_PORT: port ${port} on 127.0.0.1 is already in use`, 'm'),
      );
    } finally {
      blocker.close();
    }
  });
});

describe('tandem worker', () => {
  it('refuses to run on the embedded store and says what it needs', async () => {
    const result = await runTandem(['worker'], {
      cwd: mkdtempSync(join(tmpdir(), 'tandem-worker-')),
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^tandem: tandem worker needs PostgreSQL: set DATABASE_URL=postgres:\/\//,
    );
  });
});

describe('tandem demo', () => {
  it('starts both emulators and Tandem, prints what to try, and stops by itself after --duration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-demo-'));
    const port = await freePort();
    const result = await runTandem(['demo', '--duration', '1', '--port', String(port)], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Salesforce emulator at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(result.stdout, /Intercom emulator at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(result.stdout, new RegExp(`Tandem at http://127\\.0\\.0\\.1:${port}`));
    assert.match(result.stdout, /connected {4}to both emulators/);
    assert.match(result.stdout, /Backfill #1 completed: [\d,]+ records/);
    assert.match(result.stdout, /backfill {5}#1: everyone in both systems/);
    assert.match(result.stdout, /Try next, in another terminal:/);
    assert.match(result.stdout, /Demo time is up; stopping\./);
  });

  it('backfills the demo data, then syncs a lead renamed in Intercom to its Salesforce Lead while it runs, and stops on SIGINT', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-demo-'));
    const port = await freePort();
    const demo = spawnTandem(['demo', '--port', String(port)], { cwd: dir });
    stopAtEnd(t, demo);
    let stdout = '';
    demo.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await waitForLine(demo.stdout!, /Press Ctrl-C to stop\./);
    const rename = /curl -X PUT (http:\/\/\S+\/contacts\/(\w+))/.exec(stdout);
    const token = /admin token {2}(tdm_\S+)/.exec(stdout)?.[1];
    assert.ok(rename && token, stdout);
    const [, contactUrl, contactId] = rename;
    const renamed = await fetch(contactUrl!, {
      method: 'PUT',
      headers: { Authorization: 'Bearer tandem-dev-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Ada Lovelace' }),
    });
    assert.equal(renamed.status, 200);
    assert.match(stdout, /Backfill #1 completed: [\d,]+ records/);
    const renamedInSalesforce = async () => {
      const response = await fetch(
        `http://127.0.0.1:${port}/api/events?kind=record.updated&subject=intercom:contact:${contactId}`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      const { data } = (await response.json()) as {
        data: { data: { system: string; fields: { field: string; after: unknown }[] } }[];
      };
      return data.some(
        (event) =>
          event.data.system === 'salesforce' &&
          event.data.fields.some((f) => f.field === 'LastName' && f.after === 'Ada Lovelace'),
      );
    };
    await waitFor('the Salesforce Lead to be renamed', renamedInSalesforce, 90_000);
    const exit = once(demo, 'exit');
    demo.kill('SIGINT');
    assert.equal((await exit)[0], 0);
  });
});
