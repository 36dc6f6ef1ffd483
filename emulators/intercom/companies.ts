// Company operations: create-or-update keyed by company_id (which cannot change afterwards),
// update by Intercom id, delete (detaching contacts), attach and detach contacts.
import type { Ops } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { checkCustomAttributes } from './custom-attributes.ts';
import { findContact, touch } from './contacts.ts';
import {
  asBody,
  onlyKnown,
  optInteger,
  optNumber,
  optObject,
  optString,
  reqString,
} from './input.ts';
import type { CompanyRecord, ContactRecord } from './state.ts';
import { companyView, contactView } from './views.ts';

const writable = [
  'name',
  'company_id',
  'plan',
  'size',
  'website',
  'industry',
  'custom_attributes',
  'remote_created_at',
  'monthly_spend',
  'id',
] as const;

export function findCompany(ops: Ops, id: string): CompanyRecord {
  const company = ops.ws.companies.get(id);
  if (company === undefined) throw notFound('Company Not Found', 'company_not_found');
  return company;
}

function emitCompany(ops: Ops, topic: string, company: CompanyRecord): void {
  ops.emit(topic, () => companyView(ops.ws, company, 'webhook'));
}

function applyFields(ops: Ops, company: CompanyRecord, raw: unknown): boolean {
  const body = asBody(raw);
  onlyKnown(body, writable);
  const name = optString(body, 'name');
  const plan = optString(body, 'plan');
  const size = optInteger(body, 'size');
  const website = optString(body, 'website');
  const industry = optString(body, 'industry');
  const remoteCreatedAt = optInteger(body, 'remote_created_at');
  const monthlySpend = optNumber(body, 'monthly_spend');
  const custom = checkCustomAttributes(ops.ws, 'company', optObject(body, 'custom_attributes'));
  const before = JSON.stringify(company);
  if (name !== undefined) company.name = name;
  if (plan !== undefined) company.plan = plan;
  if (size !== undefined) company.size = size;
  if (website !== undefined) company.website = website;
  if (industry !== undefined) company.industry = industry;
  if (remoteCreatedAt !== undefined) company.remote_created_at = remoteCreatedAt;
  if (monthlySpend !== undefined) company.monthly_spend = Math.floor(monthlySpend ?? 0);
  if (custom !== undefined && custom !== null) {
    const merged = { ...company.custom_attributes, ...custom };
    company.custom_attributes = Object.fromEntries(
      Object.entries(merged).filter(([, value]) => value !== null),
    );
  }
  return JSON.stringify(company) !== before;
}

export function upsertCompany(ops: Ops, raw: unknown): CompanyRecord {
  const body = asBody(raw);
  onlyKnown(body, writable);
  const companyId = reqString(body, 'company_id');
  const existing = ops.ws.companyByCompanyId(companyId);
  if (existing !== undefined) {
    if (applyFields(ops, existing, body)) {
      existing.updated_at = Math.max(ops.now(), existing.updated_at);
      emitCompany(ops, 'company.updated', existing);
    }
    return existing;
  }
  const now = ops.now();
  const { id, seq } = ops.ws.nextCompanyId();
  const company: CompanyRecord = {
    id,
    seq,
    company_id: companyId,
    name: null,
    plan: null,
    size: null,
    website: null,
    industry: null,
    monthly_spend: 0,
    session_count: 0,
    remote_created_at: null,
    created_at: now,
    updated_at: now,
    last_request_at: null,
    custom_attributes: {},
    tag_ids: [],
  };
  applyFields(ops, company, body);
  ops.ws.putCompany(company);
  emitCompany(ops, 'company.created', company);
  return company;
}

export function updateCompany(ops: Ops, id: string, raw: unknown): CompanyRecord {
  const company = findCompany(ops, id);
  const body = asBody(raw);
  const companyId = optString(body, 'company_id');
  if (companyId !== undefined && companyId !== null && companyId !== company.company_id)
    throw badRequest('company_id cannot be changed', 'parameter_invalid', 'company_id');
  if (applyFields(ops, company, body)) {
    company.updated_at = Math.max(ops.now(), company.updated_at);
    emitCompany(ops, 'company.updated', company);
  }
  return company;
}

export function deleteCompany(ops: Ops, id: string): CompanyRecord {
  const company = findCompany(ops, id);
  for (const contact of ops.ws.contactsOfCompany(company.id)) touch(ops, contact);
  ops.ws.removeCompany(company);
  const reference = { type: 'company', id: company.id, company_id: company.company_id };
  ops.emit('company.deleted', () => reference);
  return company;
}

function emitMembership(ops: Ops, topic: string, company: CompanyRecord, contact: ContactRecord) {
  // The item of company.contact.* is not in the recorded examples; this pairs the two objects
  // the way contact tag notifications pair contact and tag.
  ops.emit(topic, (version) => ({
    type: 'contact_company',
    company: companyView(ops.ws, company, 'webhook'),
    contact: contactView(ops.ws, contact, version, 'webhook'),
  }));
}

export function attachContact(ops: Ops, contactId: string, raw: unknown): CompanyRecord {
  const contact = findContact(ops.ws, contactId);
  const body = asBody(raw);
  const companyId = optString(body, 'id') ?? optString(body, 'company_id');
  if (!companyId) throw badRequest('company not specified', 'parameter_not_found');
  const company = findCompany(ops, companyId);
  if (contact.company_ids.length >= 1000 && !contact.company_ids.includes(company.id))
    throw badRequest(
      'Contact has reached the maximum of 1000 company associations',
      'contact_company_limit_exceeded',
    );
  if (ops.ws.attach(contact, company)) {
    touch(ops, contact);
    emitMembership(ops, 'company.contact.attached', company, contact);
  }
  return company;
}

export function detachContact(ops: Ops, contactId: string, companyId: string): CompanyRecord {
  const contact = findContact(ops.ws, contactId);
  const company = findCompany(ops, companyId);
  if (!contact.company_ids.includes(company.id))
    throw notFound('Company is not attached to this contact', 'company_not_found');
  ops.ws.detach(contact, company.id);
  touch(ops, contact);
  emitMembership(ops, 'company.contact.detached', company, contact);
  return company;
}
