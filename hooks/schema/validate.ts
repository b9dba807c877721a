import { Ajv, type ErrorObject, type AnySchemaObject } from 'ajv';
import { parse as parseCel } from '@marcbachmann/cel-js';
import { InvalidSpecError } from '../core/errors.js';
import { type CustomKind, loadCrd, specSchema } from './crds.js';

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
    compile(rules: CelRule[], _parent: AnySchemaObject) {
      // Transition rules compare with the stored object, which only the API server has.
      const checks = rules
        .filter((r) => !/\boldSelf\b/.test(r.rule))
        .map((r) => ({ ...r, evaluate: parseCel(r.rule) }));
      const validate = (data: unknown, ctx?: { instancePath: string }): boolean => {
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

/** Turns ajv's error into "spec.field: what is wrong and what is allowed". */
export function describeError(error: ErrorObject, root = 'spec'): string {
  const path = root + error.instancePath.replaceAll('/', '.');
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
    default:
      return `${path}: ${error.message}`;
  }
}

/** A deep copy made of this realm's plain objects and arrays, the only values CEL evaluates. */
function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, plainCopy);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = plainCopy((value as Record<string, unknown>)[key]);
  return out;
}

export type SpecValidator = (kind: string, name: string, spec: unknown) => unknown;

/**
 * Compiles the spec schema of a CRD once. The returned function gives a defaulted copy of the
 * spec (as the API server would store it) or throws InvalidSpecError naming every failing field.
 */
export function compileSpecValidator<T>(kind: CustomKind): (name: string, spec: unknown) => T {
  const check = ajv.compile(specSchema(loadCrd(kind)));
  return (name, spec) => {
    const copy = plainCopy(spec ?? {});
    if (check(copy)) return copy as T;
    const details = [...new Set((check.errors ?? []).map((e) => describeError(e)))];
    throw new InvalidSpecError(kind, name, details);
  };
}
