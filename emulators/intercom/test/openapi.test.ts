import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkResponse, operationOf } from './openapi.ts';

const example = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/api/${name}`, import.meta.url), 'utf8'));

describe('the OpenAPI 2.14 judge', () => {
  it('maps concrete paths to their operation, literal segments first', () => {
    assert.equal(operationOf('POST', '/contacts/search'), '/contacts/search');
    assert.equal(operationOf('GET', '/contacts/abc'), '/contacts/{contact_id}');
    assert.equal(
      operationOf('GET', '/contacts/find_by_external_id/x'),
      '/contacts/find_by_external_id/{external_id}',
    );
    assert.equal(operationOf('GET', '/companies/scroll'), '/companies/scroll');
  });

  it("accepts Intercom's own recorded examples", () => {
    const cases: [string, string, number, string][] = [
      ['GET', '/contacts/6762f0d01bb69f9f2193bb7d', 200, 'contacts.find.200.json'],
      ['POST', '/contacts', 200, 'contacts.create.200.json'],
      ['GET', '/contacts', 200, 'contacts.list.200.json'],
      ['POST', '/contacts/search', 200, 'contacts.search.200.json'],
      ['POST', '/companies', 200, 'companies.create_or_update.200.json'],
      ['GET', '/companies', 200, 'companies.retrieve.200.json'],
      ['POST', '/contacts/1/companies', 200, 'contacts.attach_company.200.json'],
      ['GET', '/conversations/503', 200, 'conversations.find.200.json'],
      ['GET', '/conversations', 200, 'conversations.list.200.json'],
      ['GET', '/admins', 200, 'admins.list.200.json'],
      ['GET', '/data_attributes', 200, 'data_attributes.list.200.json'],
      ['GET', '/tags', 200, 'tags.list.200.json'],
      ['POST', '/contacts/1/tags', 200, 'tags.tag_contact.200.json'],
      ['GET', '/contacts', 401, 'error.401.unauthorized.json'],
      ['POST', '/contacts', 409, 'error.409.contact_conflict.json'],
    ];
    for (const [method, path, status, file] of cases) {
      const body = example(file) as {
        conversation_parts?: { conversation_parts: { id: unknown }[] };
      };
      // The 2.14 example numbers its parts (1, 2, …) where its schema and real notifications
      // (fixtures/webhooks) use strings: the schema wins, the emulator sends strings.
      for (const part of body.conversation_parts?.conversation_parts ?? [])
        part.id = String(part.id);
      const check = checkResponse(method, path, status, body);
      assert.ok(check.ok, `${file}: ${check.errors.join('; ')}`);
    }
  });

  it('rejects a contact whose fields have the wrong types', () => {
    const contact = example('contacts.find.200.json') as Record<string, unknown>;
    const check = checkResponse('GET', '/contacts/x', 200, {
      ...contact,
      created_at: 'yesterday',
      owner_id: 'abc',
    });
    assert.equal(check.ok, false);
  });

  it('rejects an error answer without the envelope', () => {
    assert.equal(checkResponse('GET', '/contacts/x', 404, { message: 'not found' }).ok, false);
  });

  it('rejects a body on an operation that answers without one', () => {
    assert.equal(checkResponse('DELETE', '/tags/1', 200, { ok: true }).ok, false);
  });
});
