import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { emailSubject, notifyBackfillDone } from './notify.ts';
import { formatSummary } from './progress.ts';
import type { BackfillSummary } from './report-types.ts';

const log = pino({ level: 'silent' });

const summary: BackfillSummary = {
  id: 12,
  status: 'completed',
  direction: 'to_salesforce',
  objects: ['Lead'],
  startedAt: 1_700_000_000_000,
  finishedAt: 1_700_000_064_000,
  read: { intercom: 100_000, salesforce: 0 },
  counts: {
    matched: 0,
    alreadyLinked: 0,
    leadsCreated: 99_950,
    salesforceUpdated: 0,
    intercomUpdated: 0,
    unchanged: 0,
    conflicts: 0,
    duplicateCandidates: 0,
    failed: 50,
    handedToLiveSync: 0,
  },
  skipped: {},
  apiCalls: { salesforce: 540, intercom: 1_000 },
};

interface Received {
  readonly method: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** A webhook receiver that answers each request with the next status of `statuses`. */
async function webhookReceiver(statuses: number[]) {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({
        method: request.method,
        contentType: request.headers['content-type'],
        body,
      });
      response.statusCode = statuses.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-path`;
  return { server, url, received };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

interface Mail {
  readonly from: string | undefined;
  readonly to: string[];
  readonly user: string | undefined;
  readonly raw: string;
}

/** Headers and body of a received message, the body decoded from quoted-printable. */
function parseMail(raw: string): { headers: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  let body = raw.slice(split + 4);
  if (/content-transfer-encoding: quoted-printable/i.test(headers)) {
    body = Buffer.from(
      body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

describe('backfill notifications', () => {
  const mails: Mail[] = [];
  let smtp: SMTPServer;
  let smtpPort: number;

  before(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 'pw')
          callback(null, { user: 'mailer' });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, session, callback) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (raw += chunk));
        stream.on('end', () => {
          const from = session.envelope.mailFrom;
          mails.push({
            from: from === false ? undefined : from.address,
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            user: session.user as string | undefined,
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('posts the summary as JSON to the webhook', async () => {
    const receiver = await webhookReceiver([200]);
    try {
      const outcome = await notifyBackfillDone(summary, { webhookUrl: receiver.url }, { log });
      assert.deepEqual(outcome, { webhook: 'sent' });
      assert.equal(receiver.received.length, 1);
      const [request] = receiver.received;
      assert.equal(request!.method, 'POST');
      assert.equal(request!.contentType, 'application/json');
      assert.deepEqual(JSON.parse(request!.body), { event: 'backfill.completed', summary });
    } finally {
      await close(receiver.server);
    }
  });

  it('announces a failed backfill as backfill.failed', async () => {
    const receiver = await webhookReceiver([200]);
    try {
      const failed = {
        ...summary,
        status: 'failed',
        error: 'Salesforce refused the login',
      } as const;
      await notifyBackfillDone(failed, { webhookUrl: receiver.url }, { log });
      const body = JSON.parse(receiver.received[0]!.body) as { event: string; summary: unknown };
      assert.equal(body.event, 'backfill.failed');
      assert.deepEqual(body.summary, failed);
    } finally {
      await close(receiver.server);
    }
  });

  it('tries the webhook once more after a server error', async () => {
    const receiver = await webhookReceiver([503, 200]);
    try {
      const outcome = await notifyBackfillDone(
        summary,
        { webhookUrl: receiver.url },
        { log, retryDelayMs: 0 },
      );
      assert.deepEqual(outcome, { webhook: 'sent' });
      assert.equal(receiver.received.length, 2);
    } finally {
      await close(receiver.server);
    }
  });

  it('answers an error, without throwing, when the webhook refuses twice', async () => {
    const receiver = await webhookReceiver([500, 500, 200]);
    try {
      const outcome = await notifyBackfillDone(
        summary,
        { webhookUrl: receiver.url },
        { log, retryDelayMs: 0 },
      );
      assert.equal(receiver.received.length, 2);
      assert.deepEqual(outcome, {
        webhook: { error: `${new URL(receiver.url).host} answered HTTP 500` },
      });
      assert.doesNotMatch(JSON.stringify(outcome), /secret-path/);
    } finally {
      await close(receiver.server);
    }
  });

  it('does not retry a webhook that rejects the request', async () => {
    const receiver = await webhookReceiver([404, 200]);
    try {
      const outcome = await notifyBackfillDone(
        summary,
        { webhookUrl: receiver.url },
        { log, retryDelayMs: 0 },
      );
      assert.equal(receiver.received.length, 1);
      assert.match((outcome.webhook as { error: string }).error, /HTTP 404/);
    } finally {
      await close(receiver.server);
    }
  });

  it('answers an error for a webhook that cannot be reached or does not answer', async () => {
    const receiver = await webhookReceiver([]);
    const unreachable = receiver.url;
    await close(receiver.server);
    const refused = await notifyBackfillDone(
      summary,
      { webhookUrl: unreachable },
      { log, retryDelayMs: 0 },
    );
    assert.match(
      (refused.webhook as { error: string }).error,
      /could not be reached: ECONNREFUSED/,
    );

    const silent = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const timedOut = await notifyBackfillDone(
        summary,
        { webhookUrl: url },
        { log, timeoutMs: 50, retryDelayMs: 0 },
      );
      assert.match((timedOut.webhook as { error: string }).error, /did not answer within/);
    } finally {
      await close(silent);
    }
  });

  it('e-mails the summary to every recipient through SMTP', async () => {
    mails.length = 0;
    const outcome = await notifyBackfillDone(
      summary,
      {
        smtp: {
          url: `smtp://mailer:pw@127.0.0.1:${smtpPort}`,
          from: 'Tandem <tandem@example.com>',
          to: ['ops@example.com', 'Ada <ada@example.com>'],
        },
      },
      { log },
    );
    assert.deepEqual(outcome, { email: 'sent' });
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.equal(mail!.user, 'mailer');
    assert.equal(mail!.from, 'tandem@example.com');
    assert.deepEqual(mail!.to, ['ops@example.com', 'ada@example.com']);
    const { headers, body } = parseMail(mail!.raw);
    assert.match(headers, /^Subject: Tandem backfill #12 completed: 100,000 records in 1m 4s$/m);
    assert.equal(emailSubject(summary), 'Tandem backfill #12 completed: 100,000 records in 1m 4s');
    assert.ok(body.includes(formatSummary(summary)), body);
    assert.match(body, /Leads created +99,950/);
    assert.match(body, /failed +50/);
  });

  it('sends both at once and reports each channel on its own', async () => {
    const receiver = await webhookReceiver([200]);
    try {
      const outcome = await notifyBackfillDone(
        summary,
        {
          webhookUrl: receiver.url,
          smtp: {
            url: `smtp://mailer:wrong@127.0.0.1:${smtpPort}`,
            from: 'tandem@example.com',
            to: ['ops@example.com'],
          },
        },
        { log },
      );
      assert.equal(outcome.webhook, 'sent');
      assert.match((outcome.email as { error: string }).error, /Invalid username or password/);
      assert.doesNotMatch(JSON.stringify(outcome), /wrong/);
    } finally {
      await close(receiver.server);
    }
  });

  it('does nothing when no channel is set up', async () => {
    assert.deepEqual(await notifyBackfillDone(summary, {}, { log }), {});
  });
});
