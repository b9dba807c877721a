// Writes hooks/schema/types.ts from the CRD schemas, so the TypeScript types never drift from the API.
// The output goes through Prettier with the project's configuration, so the committed file passes `npm run lint`.
// Prettier's standalone build with its parsers imported here, not loaded on demand: the schema test runs this
// generator inside Jest's module runtime, which cannot link modules that Prettier would import at run time.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from 'json-schema-to-typescript';
import type { Options } from 'prettier';
import * as estree from 'prettier/plugins/estree';
import * as typescript from 'prettier/plugins/typescript';
import { format } from 'prettier/standalone';
import { CRD_FILES, type CustomKind, type JsonSchema, loadCrd, packageRoot } from '../hooks/schema/crds.js';

/** Embedded Kubernetes types, typed from @kubernetes/client-node instead of `unknown` maps. */
const KUBERNETES_TYPES: Record<string, string> = {
  resources: 'V1ResourceRequirements',
  affinity: 'V1Affinity',
  securityContext: 'V1PodSecurityContext',
  containerSecurityContext: 'V1SecurityContext',
  consoleDeployment: 'V1Deployment',
  'env[]': 'V1EnvVar',
  'tolerations[]': 'V1Toleration',
  'volumes[]': 'V1Volume',
  'volumeClaimTemplates[]': 'V1PersistentVolumeClaim',
  'imagePullSecrets[]': 'V1LocalObjectReference',
  'topologySpreadConstraints[]': 'V1TopologySpreadConstraint',
};

/** Kubernetes types for embedded objects; fields with a default are required, as validation fills them in. */
function withKubernetesTypes(schema: JsonSchema): JsonSchema {
  const properties = structuredClone((schema.properties ?? {}) as Record<string, JsonSchema>);
  const required = (schema.required ?? []) as string[];
  const defaulted = Object.keys(properties).filter((field) => 'default' in properties[field]);
  for (const [field, property] of Object.entries(properties)) {
    const tsType = KUBERNETES_TYPES[field];
    const itemType = KUBERNETES_TYPES[`${field}[]`];
    if (tsType) properties[field] = { ...property, tsType };
    else if (itemType) properties[field] = { ...property, items: { tsType: itemType } };
    // Defaults inside a defaulted object are filled in too.
    else if ('default' in property && property.properties) properties[field] = withKubernetesTypes(property);
  }
  return { ...schema, properties, required: [...new Set([...required, ...defaulted])] };
}

export const TYPES_FILE = join(packageRoot(), 'hooks', 'schema', 'types.ts');

export async function generateTypes(): Promise<string> {
  const parts = [
    '// Generated from crds/*.yaml by `npm run gen:types`; do not edit.',
    "import type { V1Affinity, V1Deployment, V1EnvVar, V1LocalObjectReference, V1PersistentVolumeClaim, V1PodSecurityContext, V1ResourceRequirements, V1SecurityContext, V1Toleration, V1TopologySpreadConstraint, V1Volume } from '@kubernetes/client-node';",
  ];
  for (const kind of Object.keys(CRD_FILES) as CustomKind[]) {
    const root = loadCrd(kind).spec.versions[0].schema.openAPIV3Schema as { properties: Record<string, JsonSchema> };
    for (const [part, schema] of [
      ['Spec', root.properties.spec],
      ['Status', root.properties.status],
    ] as const) {
      const ts = await compile({ ...withKubernetesTypes(schema), title: `${kind}${part}` }, `${kind}${part}`, {
        bannerComment: '',
        additionalProperties: false,
        strictIndexSignatures: false,
        format: false,
        // Bounded arrays stay arrays: maxItems is enforced by the schema, not spelled out as tuples.
        maxItems: -1,
      });
      parts.push(ts.trim());
    }
  }
  const options = JSON.parse(readFileSync(join(packageRoot(), '.prettierrc.json'), 'utf8')) as Options;
  return format(parts.join('\n\n') + '\n', { ...options, parser: 'typescript', plugins: [estree, typescript] });
}

if (process.argv[1]?.endsWith('gen-types.js')) {
  writeFileSync(TYPES_FILE, await generateTypes());
}
