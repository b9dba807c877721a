import { readFileSync } from 'node:fs';
import { generateTypes, TYPES_FILE } from '../../scripts/gen-types.js';
import { compileSpecValidator } from '../../hooks/schema/validate.js';
import { BadRequestError, InvalidSpecError } from '../../hooks/core/errors.js';
import type { NameServiceSpec } from '../../hooks/schema/types.js';
import { withTransitionTimes } from '../../hooks/k8s/conditions.js';

const validateNameService = compileSpecValidator<NameServiceSpec>('NameService');

function errorsOf(spec: unknown): string[] {
  try {
    validateNameService('ns', spec);
  } catch (error) {
    if (error instanceof InvalidSpecError) return error.details ?? [];
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('the CRD schema as the single source of truth', () => {
  it('generates exactly the committed TypeScript types (run npm run gen:types after editing crds/)', async () => {
    expect(await generateTypes()).toBe(readFileSync(TYPES_FILE, 'utf8'));
  });

  it('fills in the schema defaults, as the API server stores them', () => {
    expect(validateNameService('ns', {})).toEqual({
      size: 1,
      nameServiceImage: 'apache/rocketmq:5.3.1',
      imagePullPolicy: 'IfNotPresent',
      hostNetwork: false,
      storageMode: 'EmptyDir',
    });
  });

  it('does not change the spec it was given', () => {
    const spec = { size: 2 };
    validateNameService('ns', spec);
    expect(spec).toEqual({ size: 2 });
  });

  it('refuses a key that reaches a prototype, naming where it is, and lets the same spec without it pass', () => {
    const nested = (key: string) => JSON.parse(`{"size":1,"env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"${key}":{}}}]}`);
    expect(() => validateNameService('ns', nested('prototype'))).toThrow(
      new BadRequestError('spec.env[1].valueFrom.prototype: a key named prototype is not accepted anywhere in a spec'),
    );
    expect(() => validateNameService('ns', JSON.parse('{"nodeSelector":{"constructor":"x"}}'))).toThrow(
      /^spec\.nodeSelector\.constructor: a key named constructor/,
    );
    expect(validateNameService('ns', nested('fieldRef')).env).toHaveLength(2);
  });

  it('stamps transition times to the second, each reading of the clock anew', () => {
    const at = (iso: string) => withTransitionTimes([{ type: 'Ready', status: 'True', reason: 'R', message: '' }], [], new Date(iso));
    expect(at('2026-01-02T03:04:05.900Z')[0].lastTransitionTime).toBe('2026-01-02T03:04:05Z');
    expect(at('2026-01-02T03:04:06.100Z')[0].lastTransitionTime).toBe('2026-01-02T03:04:06Z');
    expect(at('2026-01-02T03:04:05.000Z')[0].lastTransitionTime).toBe('2026-01-02T03:04:05Z');
    expect(at('1969-12-31T23:59:59.500Z')[0].lastTransitionTime).toBe('1969-12-31T23:59:59Z');
  });

  it('names each failing field and what is allowed', () => {
    expect(errorsOf({ size: 0, storageMode: 'Tape', imagePullPolicy: 'Sometimes' })).toEqual(
      expect.arrayContaining([
        'spec.size: must be >= 1',
        'spec.storageMode: must be one of EmptyDir, HostPath, StorageClass, NFS',
        'spec.imagePullPolicy: must be one of Always, IfNotPresent, Never',
      ]),
    );
  });

  it('applies the CEL rules: HostPath needs hostPath', () => {
    expect(errorsOf({ storageMode: 'HostPath' })).toEqual([
      'spec.hostPath is required when spec.storageMode is HostPath: set it to a directory on the nodes',
    ]);
  });

  it('runs no CEL rule on a value of the wrong type or beyond its sizes, which the schema refuses already', () => {
    const validateProxy = compileSpecValidator('Proxy');
    const detailsOf = (spec: unknown) => {
      try {
        validateProxy('proxy', spec);
      } catch (error) {
        if (error instanceof InvalidSpecError) return error.details ?? [];
        throw error;
      }
      return [];
    };
    expect(detailsOf({ config: Array.from({ length: 10000 }, (_, i) => i) })).toEqual(['spec.config: must be object']);
    const tooMany = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`bad key ${i}`, 'x']));
    expect(detailsOf({ config: tooMany })).toEqual(['spec.config: must NOT have more than 128 properties']);
    expect(detailsOf({ config: { 'bad key': 'x' } })).toEqual([
      'spec.config keys are proxy setting names of letters and digits (at most 128), as in rmq-proxy.json',
    ]);
  });

  it('refuses a claim template whose name is not a DNS label, since it names the volume in every pod', () => {
    expect(errorsOf({ volumeClaimTemplates: [{ metadata: { name: [null] } }] })).toEqual([
      'spec.volumeClaimTemplates.0.metadata.name: must be string',
    ]);
    expect(errorsOf({ volumeClaimTemplates: [{ metadata: { name: 'Data_1' } }] })).toEqual([
      expect.stringMatching(/^spec.volumeClaimTemplates.0.metadata.name: must match \^/),
    ]);
  });

  it('applies the CEL rules: StorageClass, and its old name NFS, need a claim template', () => {
    for (const storageMode of ['StorageClass', 'NFS']) {
      expect(errorsOf({ storageMode })).toEqual([
        'spec.volumeClaimTemplates[0] is required when spec.storageMode is StorageClass: add a claim template with a storageClassName and size',
      ]);
    }
  });

  it('accepts the NFS storage mode of older CR files', () => {
    expect(validateNameService('ns', { storageMode: 'NFS', volumeClaimTemplates: [{ metadata: { name: 'v' } }] }).storageMode).toBe('NFS');
  });
});
