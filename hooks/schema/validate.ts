import { Ajv, type ErrorObject, type AnySchemaObject } from 'ajv';
import { parse as parseCel } from '@marcbachmann/cel-js';
import { BadRequestError, InvalidSpecError } from '../core/errors.js';
import { type CustomKind, loadCrd, objectSchema } from './crds.js';

interface CelRule {
  rule: string;
  message?: string;
  fieldPath?: string;
}

/** Kubernetes' schema keywords that only describe the API; they never reject a value here. */
const DESCRIPTIVE_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
];

/** A rule that cannot be evaluated on this value (a missing field, a wrong type) does not hold. */
function holds(evaluate: (context: object) => unknown, self: unknown): boolean {
  try {
    return evaluate({ self }) === true;
  } catch {
    return false;
  }
}

/** JSON Schema's type of a value, as the schemas name them. */
function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Whether a value has its schema's type and sizes. The rules are written for such values, and their
 * cost is bounded by those sizes: a value beyond them is refused by those keywords already, and a
 * rule run over it could take as long as the value is big.
 */
function withinSchema(schema: AnySchemaObject, value: unknown): boolean {
  const type = typeOf(value);
  if (schema.type !== undefined && schema.type !== type && !(schema.type === 'number' && type === 'integer')) return false;
  if (type === 'array') return schema.maxItems === undefined || (value as unknown[]).length <= schema.maxItems;
  if (type === 'object') return schema.maxProperties === undefined || Object.keys(value as object).length <= schema.maxProperties;
  if (type === 'string') return schema.maxLength === undefined || (value as string).length <= schema.maxLength;
  return true;
}

function buildAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictTypes: false });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  for (const keyword of DESCRIPTIVE_KEYWORDS) ajv.addKeyword({ keyword });
  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    errors: true,
    // After the other keywords, so the rules see the defaults, as on the API server.
    post: true,
    compile(rules: CelRule[], parent: AnySchemaObject) {
      // Transition rules compare with the stored object, which only the API server has.
      const checks = rules.filter((r) => !/\boldSelf\b/.test(r.rule)).map((r) => ({ ...r, evaluate: parseCel(r.rule) }));
      const validate = (data: unknown, ctx?: { instancePath: string }): boolean => {
        if (!withinSchema(parent, data)) return true;
        const failed = checks.filter((c) => !holds(c.evaluate, data));
        (validate as { errors?: Partial<ErrorObject>[] }).errors = failed.map((c) => ({
          keyword: 'x-kubernetes-validations',
          instancePath: (ctx?.instancePath ?? '') + (c.fieldPath ?? '').replaceAll('.', '/'),
          message: c.message ?? `failed rule: ${c.rule}`,
          params: { rule: c.rule },
        }));
        return failed.length === 0;
      };
      return validate;
    },
  });
  return ajv;
}

const ajv = buildAjv();

/** What the CRDs' patterns mean, in the words a user fixing the field needs. */
function patternMeaning(pattern: string): string {
  if (pattern.includes('[KMGTPE]i'))
    return 'must be a Kubernetes quantity such as 512Mi, 4Gi, 500m or 2 (binary suffixes are Ki, Mi, Gi: 4GB is written 4G or 4Gi)';
  if (pattern.includes('6553[0-5]'))
    return 'must be a list "host:port;host:port" (host names or IPv4 addresses, ports 1 to 65535, no spaces or schemes), or empty';
  return `must match ${pattern}`;
}

/** Turns ajv's error into "spec.field: what is wrong and what is allowed". */
export function describeError(error: ErrorObject): string {
  const path = error.instancePath.slice(1).replaceAll('/', '.');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${path}.${params.missingProperty}: is required`;
    case 'enum':
      return `${path}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'additionalProperties':
      return `${path}.${params.additionalProperty}: is not a known field`;
    case 'x-kubernetes-validations':
      return error.message ?? `${path}: invalid`;
    case 'pattern':
      return `${path}: ${patternMeaning(String(params.pattern))}`;
    default:
      return `${path}: ${error.message}`;
  }
}

/** Keys that reach an object's prototype in JavaScript, and confuse CEL's type checks: never data. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A prototype key found by plainCopy; the path is put together only when one is found. */
class PrototypeKey {
  constructor(readonly path: string[]) {}
}

/**
 * A deep copy made of this realm's plain objects and arrays, the only values CEL evaluates. A key
 * that could reach a prototype is refused (400) rather than copied.
 */
function plainCopy(value: unknown, root: string): unknown {
  try {
    return copyOf(value);
  } catch (error) {
    if (!(error instanceof PrototypeKey)) throw error;
    const key = error.path[0];
    const path = root + error.path.reverse().join('');
    throw new BadRequestError(`${path}: a key named ${key.slice(1)} is not accepted anywhere in a spec`);
  }
}

function copyOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  let key: string | number = 0;
  try {
    if (Array.isArray(value)) {
      const out = new Array<unknown>(value.length);
      for (; key < value.length; key++) out[key] = copyOf(value[key]);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (key of Object.keys(value)) {
      if (PROTOTYPE_KEYS.has(key)) throw new PrototypeKey([]);
      out[key] = copyOf((value as Record<string, unknown>)[key]);
    }
    return out;
  } catch (error) {
    if (error instanceof PrototypeKey) error.path.push(typeof key === 'number' ? `[${key}]` : `.${key}`);
    throw error;
  }
}

const NAME_SCHEMA = { type: 'object', properties: { name: { type: 'string', maxLength: 253 } } };

/**
 * Compiles the spec schema of a CRD once. The returned function gives a defaulted copy of the
 * spec (as the API server would store it) or throws InvalidSpecError naming every failing field.
 */
export function compileSpecValidator<T>(kind: CustomKind): (name: string, spec: unknown) => T {
  const { properties, ...root } = objectSchema(loadCrd(kind));
  // The object as the API server validates it on create, less what only it holds (status, the rest of metadata).
  const check = ajv.compile({ ...root, required: ['metadata', 'spec'], properties: { metadata: NAME_SCHEMA, spec: properties.spec } });
  return (name, spec) => {
    const object = { metadata: { name }, spec: plainCopy(spec ?? {}, 'spec') };
    if (check(object)) return object.spec as T;
    const details = [...new Set((check.errors ?? []).map((e) => describeError(e)))];
    throw new InvalidSpecError(kind, name, details, true);
  };
}
