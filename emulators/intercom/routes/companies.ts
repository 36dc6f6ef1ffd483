import { randomUUID } from 'node:crypto';
import {
  attachContact,
  deleteCompany,
  detachContact,
  findCompany,
  updateCompany,
  upsertCompany,
} from '../companies.ts';
import { findContact } from '../contacts.ts';
import type { ApiRequest } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, pageNumber, perPage } from '../input.ts';
import { route } from '../route.ts';
import type { CompanyRecord } from '../state.ts';
import { companyView, contactView } from '../views.ts';

function pages(page: number, size: number, total: number) {
  return {
    type: 'pages',
    next: null,
    page,
    per_page: size,
    total_pages: Math.max(1, Math.ceil(total / size)),
  };
}

function companyPage(req: ApiRequest, companies: CompanyRecord[], defaultSize: number) {
  const size = perPage(req.query.get('per_page'), defaultSize);
  const page = pageNumber(req.query.get('page'));
  // Past the last page the answer is 200 with empty data: the SDK pages until it sees that.
  const data = companies.slice((page - 1) * size, page * size);
  return {
    type: 'list',
    data: data.map((company) => companyView(req.ops.ws, company)),
    pages: pages(page, size, companies.length),
    total_count: companies.length,
  };
}

/** POST /companies/list: only companies with at least one contact, by last_request_at. */
function listCompanies(req: ApiRequest) {
  const { ws } = req.ops;
  const ascending = req.query.get('order') === 'asc';
  const companies = [...ws.companies.values()].filter((company) => ws.userCount(company.id) > 0);
  companies.sort((a, b) => {
    const order =
      (a.last_request_at ?? a.created_at) - (b.last_request_at ?? b.created_at) || a.seq - b.seq;
    return ascending ? order : -order;
  });
  return companyPage(req, companies.slice(0, 10_000), 15);
}

/** GET /companies: one company by company_id or name, or a list by tag_id / segment_id. */
function retrieveCompanies(req: ApiRequest) {
  const { ws } = req.ops;
  const companyId = req.query.get('company_id');
  const name = req.query.get('name');
  if (companyId !== null || name !== null) {
    const company =
      companyId !== null
        ? ws.companyByCompanyId(companyId)
        : [...ws.companies.values()].find((candidate) => candidate.name === name);
    if (company === undefined) throw notFound('Company Not Found', 'company_not_found');
    // The 2.14 description and its example answer a one-company list here.
    return {
      type: 'list',
      data: [companyView(ws, company)],
      pages: pages(1, 15, 1),
      total_count: 1,
    };
  }
  const tagId = req.query.get('tag_id');
  const segmentId = req.query.get('segment_id');
  let companies = [...ws.companies.values()];
  if (tagId !== null) companies = companies.filter((company) => company.tag_ids.includes(tagId));
  if (segmentId !== null) companies = [];
  return companyPage(req, companies, 15);
}

const scrollSize = 50;
const scrollIdleSeconds = 60;

/** GET /companies/scroll, with the rules of the 2.14 description: one open scroll per app, a
 * scroll unused for a minute expires, and the end is an empty page after which the scroll
 * parameter expires too (the SDK stops when scroll_param is missing). Pages of 50. */
function scrollCompanies(req: ApiRequest) {
  const { ws } = req.ops;
  const now = req.ops.now();
  const param = req.query.get('scroll_param');
  const open = ws.scroll;
  const live = open !== undefined && now - open.lastUsed <= scrollIdleSeconds;
  let afterSeq = 0;
  if (param === null || param === '') {
    if (live) throw badRequest('scroll already exists for this workspace', 'scroll_exists');
  } else {
    if (!live || open.param !== param)
      throw notFound('scroll parameter not found or expired', 'not_found');
    afterSeq = open.afterSeq;
  }
  const data = [...ws.companies.values()]
    .filter((company) => company.seq > afterSeq)
    .sort((a, b) => a.seq - b.seq)
    .slice(0, scrollSize);
  const last = data.at(-1);
  const page: Record<string, unknown> = {
    type: 'list',
    data: data.map((company) => companyView(ws, company)),
    pages: null,
    total_count: null,
  };
  if (last === undefined) {
    ws.scroll = undefined;
  } else {
    const next = randomUUID();
    ws.scroll = { param: next, afterSeq: last.seq, lastUsed: now };
    page['scroll_param'] = next;
  }
  return page;
}

function attachedContacts(req: ApiRequest) {
  const { ws } = req.ops;
  const company = findCompany(req.ops, req.params['company_id'] ?? '');
  const contacts = ws
    .contactsOfCompany(company.id)
    .filter((contact) => !contact.archived)
    .sort((a, b) => a.seq - b.seq);
  const size = perPage(req.query.get('per_page'), 50);
  const page = pageNumber(req.query.get('page'));
  const cursor = decodeCursor(req.query.get('starting_after'));
  const afterSeq = typeof cursor?.[0] === 'number' ? cursor[0] : undefined;
  const start =
    afterSeq === undefined ? (page - 1) * size : contacts.findIndex((c) => c.seq > afterSeq);
  const data = start < 0 ? [] : contacts.slice(start, start + size);
  const result: Record<string, unknown> = {
    type: 'list',
    data: data.map((contact) => contactView(ws, contact, req.version)),
    total_count: contacts.length,
    pages: { ...pages(page, size, contacts.length) } as Record<string, unknown>,
  };
  const last = data.at(-1);
  if (last !== undefined && start + size < contacts.length)
    (result['pages'] as Record<string, unknown>)['next'] = {
      page: page + 1,
      starting_after: encodeCursor([last.seq]),
    };
  return result;
}

function contactCompanies(req: ApiRequest) {
  const { ws } = req.ops;
  const contact = findContact(ws, req.params['contact_id'] ?? '');
  const size = perPage(req.query.get('per_page'), 50);
  const page = pageNumber(req.query.get('page'));
  const companies = contact.company_ids.flatMap((id) => ws.companies.get(id) ?? []);
  const totalPages = Math.max(1, Math.ceil(companies.length / size));
  return {
    type: 'list',
    companies: companies
      .slice((page - 1) * size, page * size)
      .map((company) => companyView(ws, company)),
    total_count: companies.length,
    pages: {
      type: 'pages',
      next: page < totalPages ? `/contacts/${contact.id}/companies?page=${page + 1}` : null,
      page,
      per_page: size,
      total_pages: totalPages,
    },
  };
}

export const companyRoutes = [
  route('POST', '/companies', (req) => companyView(req.ops.ws, upsertCompany(req.ops, req.body))),
  route('GET', '/companies', retrieveCompanies),
  route('POST', '/companies/list', listCompanies),
  route('GET', '/companies/scroll', scrollCompanies),
  route('GET', '/companies/:company_id', (req) =>
    companyView(req.ops.ws, findCompany(req.ops, req.params['company_id'] ?? '')),
  ),
  route('PUT', '/companies/:company_id', (req) =>
    companyView(req.ops.ws, updateCompany(req.ops, req.params['company_id'] ?? '', req.body)),
  ),
  route('DELETE', '/companies/:company_id', (req) => ({
    id: deleteCompany(req.ops, req.params['company_id'] ?? '').id,
    object: 'company',
    deleted: true,
  })),
  route('GET', '/companies/:company_id/contacts', attachedContacts),
  route('GET', '/contacts/:contact_id/companies', contactCompanies),
  route('POST', '/contacts/:contact_id/companies', (req) =>
    companyView(req.ops.ws, attachContact(req.ops, req.params['contact_id'] ?? '', req.body)),
  ),
  route('DELETE', '/contacts/:contact_id/companies/:company_id', (req) =>
    companyView(
      req.ops.ws,
      detachContact(req.ops, req.params['contact_id'] ?? '', req.params['company_id'] ?? ''),
    ),
  ),
];
