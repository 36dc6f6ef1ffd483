import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('logs', () => {
  it('writes one JSON object per line by default', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', format: 'json', destination }).info(
      { link: 'l1', fields: ['Email'] },
      'updated salesforce lead',
    );
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(line['msg'], 'updated salesforce lead');
    assert.equal(line['link'], 'l1');
  });

  it('never writes a secret, wherever the caller put it', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'trace', format: 'json', destination });
    const secrets = [
      's3cr3t-password',
      'tok-123456789',
      'refresh-abcdef',
      'client-secret-xyz',
      'admin-token-999',
    ];
    log.info(
      {
        config: {
          databaseUrl: 'postgres://tandem:s3cr3t-password@db/x',
          adminToken: 'admin-token-999',
        },
      },
      'started',
    );
    log.info(
      { credentials: { access_token: 'tok-123456789', refresh_token: 'refresh-abcdef' } },
      'connected',
    );
    log.warn(
      { headers: { Authorization: 'Bearer tok-123456789' }, client_secret: 'client-secret-xyz' },
      'webhook',
    );
    log.error(
      { err: new Error('connect failed for postgres://tandem:s3cr3t-password@db/x') },
      'database down',
    );
    log.info('calling with header Bearer tok-123456789 on postgres://u:s3cr3t-password@h/d');
    log.debug({ key: Buffer.from('binary-secret') }, 'raw');
    const text = lines.join('\n');
    assert.equal(lines.length, 6);
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.ok(
      !text.includes('binary-secret') &&
        !text.includes(Buffer.from('binary-secret').toString('base64')),
    );
    assert.match(text, /postgres:\/\/tandem:\[redacted\]@db\/x/);
  });

  it('writes readable lines in the pretty format', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', format: 'pretty', destination }).info({ job: 7 }, 'job finished');
    const text = lines.join('\n');
    assert.match(text, /job finished/);
    assert.throws(() => JSON.parse(lines[0]!));
  });
});
