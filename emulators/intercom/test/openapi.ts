// The judge of the emulator's answers: Intercom's OpenAPI 2.14 description (fixtures/). Every
// JSON response a test receives is validated against the response schema of its operation and
// status; a status the operation does not list is validated against the `error` schema.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

export type SpecVersion = '2.14' | '2.16';
const specPath = (version: SpecVersion) =>
  new URL(`../fixtures/openapi-${version}/api.intercom.io.yaml`, import.meta.url);

type Spec = {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>
  >;
};

interface Loaded {
  ajv: Ajv;
  spec: Spec;
  templates: { path: string; regex: RegExp; literals: number }[];
  validators: Map<string, ValidateFunction>;
}
const loaded = new Map<SpecVersion, Loaded>();

function load(version: SpecVersion = '2.14'): Loaded {
  const cached = loaded.get(version);
  if (cached !== undefined) return cached;
  const spec = openApi30Nullable(readSpec(version)) as Spec;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  // The description's own examples carry relative URLs ("/contacts/1/tags") and words ("tag")
  // where it says `format: uri`: the check is loosened to a URI reference so that Intercom's
  // real examples pass (see openapi.test.ts). Custom formats are accepted as they are.
  ajv.addFormat('uri', /^\S*$/);
  ajv.addFormat('timestamp', true);
  ajv.addSchema(spec as object, 'openapi');
  const templates = Object.keys(spec.paths).map((path) => {
    const segments = path.split('/').filter(Boolean);
    const pattern = segments
      .map((segment) =>
        segment.startsWith('{') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    return {
      path,
      regex: new RegExp(`^/${pattern}/?$`),
      literals: segments.filter((s) => !s.startsWith('{')).length,
    };
  });
  templates.sort((a, b) => b.literals - a.literals);
  const result = { ajv, spec, templates, validators: new Map<string, ValidateFunction>() };
  loaded.set(version, result);
  return result;
}

/** Parsing the YAML takes seconds on a busy machine and every test file needs it: the parsed
 * description is cached as JSON in the temporary directory, keyed by the YAML's hash. */
function readSpec(version: SpecVersion): unknown {
  const yaml = readFileSync(specPath(version), 'utf8');
  const hash = createHash('sha256').update(yaml).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `tandem-intercom-openapi-${version}-${hash}.json`);
  try {
    return JSON.parse(readFileSync(cache, 'utf8'));
  } catch {
    const parsed: unknown = parse(yaml);
    const temporary = `${cache}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(parsed));
    renameSync(temporary, cache);
    return parsed;
  }
}

/** OAS 3.0 writes `nullable: true` beside `$ref`/`allOf` without a `type`, which JSON Schema
 * (ajv) cannot express directly: such a schema becomes `anyOf: [schema, {type: null}]`. */
function openApi30Nullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApi30Nullable);
  if (typeof node !== 'object' || node === null) return node;
  const object: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node))
    object[key] = key === 'example' || key === 'examples' ? value : openApi30Nullable(value);
  if ('nullable' in object && !('type' in object)) {
    const nullable = object['nullable'] === true;
    delete object['nullable'];
    return nullable ? { anyOf: [object, { type: 'null' }] } : object;
  }
  return object;
}

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
function validator(version: SpecVersion, pointer: string): ValidateFunction {
  const { ajv, validators } = load(version);
  let validate = validators.get(pointer);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: `openapi#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

/** The operation's path template for a concrete path, e.g. /contacts/abc → /contacts/{contact_id}. */
export function operationOf(
  method: string,
  path: string,
  version: SpecVersion = '2.14',
): string | undefined {
  const { spec, templates } = load(version);
  const m = method.toLowerCase();
  return templates.find((t) => t.regex.test(path) && spec.paths[t.path]?.[m] !== undefined)?.path;
}

export interface SchemaCheck {
  ok: boolean;
  schema: string;
  errors: string[];
}

/** Validates a parsed JSON body against the response schema of (method, path, status) in the
 * description of the API version asked for (2.14 unless the request said 2.16). */
export function checkResponse(
  method: string,
  path: string,
  status: number,
  body: unknown,
  version: SpecVersion = '2.14',
): SchemaCheck {
  const { spec } = load(version);
  const run = (pointer: string, data: unknown) => runCheck(version, pointer, data);
  const template = operationOf(method, path, version);
  if (template === undefined) {
    // Unknown paths answer Intercom's error envelope.
    return run('/components/schemas/error', body);
  }
  const m = method.toLowerCase();
  const responses = spec.paths[template]?.[m]?.responses ?? {};
  const listed = responses[String(status)];
  if (listed !== undefined) {
    if (listed.content?.['application/json'] === undefined)
      return {
        ok: body === undefined,
        schema: `${m} ${template} ${status} (no body)`,
        errors: body === undefined ? [] : ['expected no body'],
      };
    return run(
      `/paths/${escape(template)}/${m}/responses/${status}/content/application~1json/schema`,
      body,
    );
  }
  if (status >= 400) return run('/components/schemas/error', body);
  return {
    ok: false,
    schema: `${m} ${template} ${status}`,
    errors: [`status ${status} is not described for this operation`],
  };
}

function runCheck(version: SpecVersion, pointer: string, body: unknown): SchemaCheck {
  const validate = validator(version, pointer);
  const ok = validate(body) === true;
  return {
    ok,
    schema: pointer,
    errors: ok
      ? []
      : (validate.errors ?? []).map(
          (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
        ),
  };
}
