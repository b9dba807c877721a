// Writes hooks/schema/types.ts from the CRD schemas, so the TypeScript types never drift from the API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { CRD_FILES, type CustomKind, type JsonSchema, loadCrd, packageRoot } from '../../hooks/schema/crds.js';

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
};

/** Kubernetes types for embedded objects; fields with a default are required, as validation fills them in. */
function withKubernetesTypes(schema: JsonSchema): JsonSchema {
  const copy = structuredClone(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  const defaulted = Object.keys(copy.properties ?? {}).filter((field) => 'default' in copy.properties![field]);
  copy.required = [...new Set([...(copy.required ?? []), ...defaulted])];
  for (const [field, property] of Object.entries(copy.properties ?? {})) {
    const tsType = KUBERNETES_TYPES[field];
    const itemType = KUBERNETES_TYPES[`${field}[]`];
    if (tsType) copy.properties![field] = { ...property, tsType };
    if (itemType) copy.properties![field] = { ...property, items: { tsType: itemType } };
  }
  return copy as JsonSchema;
}

export async function generateTypes(): Promise<string> {
  const parts = [
    '// Generated from crds/*.yaml by `npm run gen:types`; do not edit.',
    "import type { V1Affinity, V1Deployment, V1EnvVar, V1LocalObjectReference, V1PersistentVolumeClaim, V1PodSecurityContext, V1ResourceRequirements, V1SecurityContext, V1Toleration, V1Volume } from '@kubernetes/client-node';",
  ];
  for (const kind of Object.keys(CRD_FILES) as CustomKind[]) {
    const root = loadCrd(kind).spec.versions[0].schema.openAPIV3Schema as { properties: Record<string, JsonSchema> };
    for (const [part, schema] of [['Spec', root.properties.spec], ['Status', root.properties.status]] as const) {
      const ts = await compile({ ...withKubernetesTypes(schema), title: `${kind}${part}` }, `${kind}${part}`, {
        bannerComment: '',
        additionalProperties: false,
        strictIndexSignatures: false,
        format: false,
      });
      parts.push(ts.trim());
    }
  }
  return parts.join('\n\n') + '\n';
}

export const TYPES_FILE = join(packageRoot(), 'hooks', 'schema', 'types.ts');

if (process.argv[1]?.endsWith('gen-types.js')) {
  writeFileSync(TYPES_FILE, await generateTypes());
}
