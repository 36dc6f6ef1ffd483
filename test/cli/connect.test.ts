import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { markNeedsReconnect } from '../../src/sync/connections.ts';
import {
  control,
  intercomTokenArgs,
  salesforcePasswordArgs,
  startEmulators,
  Workspace,
  type Emulators,
} from './support.ts';

let emulators: Emulators;
before(async () => {
  emulators = await startEmulators();
});
after(async () => {
  await emulators.close();
});

/** Does in the test what a person does in the browser: allow access on the emulator's page. */
async function approveInBrowser(authorizeUrl: string): Promise<void> {
  const query = new URL(authorizeUrl).searchParams;
  const form = new URLSearchParams({ action: 'approve' });
  for (const key of ['client_id', 'redirect_uri', 'state', 'scope', 'code_challenge'])
    form.set(key, query.get(key) ?? '');
  const approved = await fetch(new URL('/services/oauth2/authorize', authorizeUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  assert.equal(approved.status, 302);
  const callback = await fetch(approved.headers.get('location') ?? '');
  assert.equal(callback.status, 200, await callback.text());
}

describe('tandem connect', () => {
  it('connects both emulators, stores the tokens sealed, and doctor finds both healthy', async () => {
    const workspace = new Workspace();
    const salesforce = await workspace.run(salesforcePasswordArgs(emulators.salesforce));
    assert.equal(salesforce.code, 0, salesforce.stderr);
    assert.match(salesforce.stdout, /Connected to Salesforce org 00D\w+ at http:\/\/127\.0\.0\.1/);
    const intercom = await workspace.run(intercomTokenArgs(emulators.intercom));
    assert.equal(intercom.code, 0, intercom.stderr);
    assert.match(intercom.stdout, /Connected to Intercom workspace .* as \S+@\S+/);

    await workspace.withStore(async (store) => {
      const accessToken = await store.credentials.get('salesforce.access_token');
      assert.ok(accessToken, 'the Salesforce access token is stored');
      assert.equal(
        await store.credentials.get('intercom.access_token'),
        emulators.intercom.credentials.accessToken,
      );
      const rows = await store.db.selectFrom('credentials').select(['name', 'sealed']).execute();
      const raw = rows.map((row) => row.sealed).join('\n');
      for (const secret of [
        accessToken,
        emulators.salesforce.credentials.password,
        emulators.salesforce.credentials.clientSecret,
        emulators.intercom.credentials.accessToken,
      ])
        assert.ok(!raw.includes(secret), `the raw column holds ${secret} in the clear`);
      const info = (await store.settings.get('connection.salesforce'))?.value as {
        flow: string;
        loginUrl: string;
      };
      assert.equal(info.flow, 'password');
      assert.equal(info.loginUrl, emulators.salesforce.url);
    });

    const doctor = await workspace.run(['doctor']);
    assert.equal(doctor.code, 0, doctor.stdout);
    assert.match(doctor.stdout, /✓ Salesforce connection: connected to org 00D\w+/);
    assert.match(doctor.stdout, /✓ Intercom connection: connected to workspace .* as \S+@\S+/);
  });

  it('shows both systems as not connected on a fresh install, without counting a problem', async () => {
    const workspace = new Workspace();
    assert.equal((await workspace.run(['migrate'])).code, 0);
    const doctor = await workspace.run(['doctor']);
    assert.equal(doctor.code, 0, doctor.stdout);
    assert.match(
      doctor.stdout,
      /· Salesforce connection: not connected; run `tandem connect salesforce`/,
    );
    assert.match(doctor.stdout, /· Intercom connection: not connected/);
    assert.match(doctor.stdout, /Everything is in order/);
  });

  it('connects Salesforce through the browser flow and reports "needs reconnect" once the refresh token is revoked', async () => {
    const workspace = new Workspace();
    let approval: Promise<void> | undefined;
    const args = salesforcePasswordArgs(emulators.salesforce).slice(0, 8);
    const connected = await workspace.run([...args, '--timeout', '20'], {
      onOut: (line) => {
        if (line.includes('/services/oauth2/authorize?')) approval = approveInBrowser(line.trim());
      },
    });
    await approval;
    assert.equal(connected.code, 0, connected.stderr + connected.stdout);
    assert.match(connected.stdout, /Open this URL in a browser/);

    const refreshToken = await workspace.withStore(async (store) => {
      const info = (await store.settings.get('connection.salesforce'))?.value as { flow: string };
      assert.equal(info.flow, 'web_server');
      return store.credentials.get('salesforce.refresh_token');
    });
    assert.ok(refreshToken, 'the web-server flow stores a refresh token');

    // An expired access token is refreshed with the stored refresh token: still healthy.
    await control(emulators.salesforce.url, 'expire-tokens', {});
    const refreshed = await workspace.run(['doctor']);
    assert.match(refreshed.stdout, /✓ Salesforce connection: connected/);

    // Someone revokes Tandem's access in Salesforce; the next session cannot be refreshed.
    const revoked = await fetch(`${emulators.salesforce.url}/services/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: refreshToken }),
    });
    assert.equal(revoked.status, 200);
    await control(emulators.salesforce.url, 'expire-tokens', {});
    const doctor = await workspace.run(['doctor']);
    assert.equal(doctor.code, 1);
    assert.match(
      doctor.stdout,
      /✗ Salesforce connection: needs reconnect: .*run `tandem connect salesforce`/,
    );

    // The sync records it once (setting and ledger event); connecting again clears it.
    await workspace.withStore(async (store) => {
      const at = new Date('2026-03-01T12:00:00Z');
      assert.equal(
        await markNeedsReconnect(store, 'salesforce', 'refresh token revoked', at),
        true,
      );
      assert.equal(await markNeedsReconnect(store, 'salesforce', 'again', at), false);
      const info = (await store.settings.get('connection.salesforce'))?.value as {
        needsReconnect?: { since: string; reason: string };
      };
      assert.deepEqual(info.needsReconnect, {
        since: '2026-03-01T12:00:00.000Z',
        reason: 'refresh token revoked',
      });
      const events = await store.events.list({ kind: 'connection.needs_reconnect' });
      assert.deepEqual(
        events.map((e) => e.subject),
        ['salesforce'],
      );
    });
    const reconnected = await workspace.run(salesforcePasswordArgs(emulators.salesforce));
    assert.equal(reconnected.code, 0, reconnected.stderr);
    await workspace.withStore(async (store) => {
      const info = (await store.settings.get('connection.salesforce'))?.value as object;
      assert.ok(!('needsReconnect' in info));
      assert.equal(await store.credentials.get('salesforce.refresh_token'), undefined);
    });
  });

  it('says clearly, on connect and in doctor, when the Salesforce org has no API access', async () => {
    const workspace = new Workspace();
    await control(emulators.salesforce.url, 'faults', {
      path: '/services/data/*',
      status: 403,
      errorCode: 'API_DISABLED_FOR_ORG',
      message: 'The REST API is not enabled for this Organization.',
      times: 1,
    });
    try {
      const result = await workspace.run(salesforcePasswordArgs(emulators.salesforce));
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /^tandem connect salesforce: this Salesforce org has no API access \(API_DISABLED_FOR_ORG\)/,
      );
      await workspace.withStore(async (store) => {
        assert.deepEqual(await store.credentials.names(), [], 'nothing is stored');
      });

      // Connected while the API worked; then the org loses it: doctor says the same.
      assert.equal((await workspace.run(salesforcePasswordArgs(emulators.salesforce))).code, 0);
      await control(emulators.salesforce.url, 'faults', {
        path: '/services/data/*',
        status: 403,
        errorCode: 'API_CURRENTLY_DISABLED',
        message: 'API is disabled for this User',
      });
      const doctor = await workspace.run(['doctor']);
      assert.equal(doctor.code, 1);
      assert.match(
        doctor.stdout,
        /✗ Salesforce connection: this Salesforce org has no API access \(API_CURRENTLY_DISABLED\)/,
      );
    } finally {
      await control(emulators.salesforce.url, 'faults', undefined, 'DELETE');
    }
  });

  it('refuses a wrong Salesforce password in one line and stores nothing', async () => {
    const workspace = new Workspace();
    const args = salesforcePasswordArgs(emulators.salesforce);
    args[args.length - 1] = 'not-the-password';
    const result = await workspace.run(args);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^tandem connect salesforce: Salesforce refused the credentials/);
    assert.doesNotMatch(result.stderr, /not-the-password/);
  });

  it('exchanges an Intercom OAuth code for a token and verifies it with /me', async () => {
    const workspace = new Workspace();
    const { code } = (await control(emulators.intercom.url, 'oauth/codes', {})) as {
      code: string;
    };
    const c = emulators.intercom.credentials;
    const result = await workspace.run([
      'connect',
      'intercom',
      '--base-url',
      emulators.intercom.url,
      '--code',
      code,
      '--client-id',
      c.clientId,
      '--client-secret',
      c.clientSecret,
    ]);
    assert.equal(result.code, 0, result.stderr);
    await workspace.withStore(async (store) => {
      assert.ok(await store.credentials.get('intercom.access_token'));
      assert.equal(await store.credentials.get('intercom.client_secret'), c.clientSecret);
    });
  });

  it('connects Intercom through the browser flow: the callback takes the code only with its state', async () => {
    const workspace = new Workspace();
    const c = emulators.intercom.credentials;
    let browser: Promise<void> | undefined;
    const result = await workspace.run(
      [
        'connect',
        'intercom',
        '--base-url',
        emulators.intercom.url,
        '--client-id',
        c.clientId,
        '--client-secret',
        c.clientSecret,
        '--authorize-url',
        'https://app.intercom.test/oauth',
        '--timeout',
        '20',
      ],
      {
        onOut: (line) => {
          if (!line.startsWith('https://app.intercom.test/oauth?')) return;
          const query = new URL(line).searchParams;
          assert.equal(query.get('client_id'), c.clientId);
          const redirect = new URL(query.get('redirect_uri') ?? '');
          browser = (async () => {
            // Intercom's consent screen stands in: a code from the emulator, sent to the callback.
            const { code } = (await control(emulators.intercom.url, 'oauth/codes', {})) as {
              code: string;
            };
            redirect.searchParams.set('code', code);
            redirect.searchParams.set('state', 'forged');
            assert.equal((await fetch(redirect)).status, 400, 'a wrong state is refused');
            redirect.searchParams.set('state', query.get('state') ?? '');
            assert.equal((await fetch(redirect)).status, 200);
          })();
        },
      },
    );
    await browser;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Connected to Intercom workspace/);
  });

  it('refuses an Intercom token the API does not accept', async () => {
    const workspace = new Workspace();
    const args = intercomTokenArgs(emulators.intercom);
    args[5] = 'wrong-token';
    const result = await workspace.run(args);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^tandem connect intercom: Intercom refused the credentials/);
  });
});
