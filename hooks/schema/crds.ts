import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type JsonSchema = Record<string, unknown>;

export interface CustomResourceDefinition {
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: { name: string; schema: { openAPIV3Schema: JsonSchema } }[];
  };
}

/** The directory holding package.json, found from this file both in the sources and in dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const CRD_FILES = {
  NameService: 'nameservice.yaml',
  Broker: 'broker.yaml',
  Console: 'console.yaml',
  TopicTransfer: 'topictransfer.yaml',
  Proxy: 'proxy.yaml',
  Controller: 'controller.yaml',
} as const;

export type CustomKind = keyof typeof CRD_FILES;

export function loadCrd(kind: CustomKind): CustomResourceDefinition {
  const text = readFileSync(join(packageRoot(), 'crds', CRD_FILES[kind]), 'utf8');
  return parse(text) as CustomResourceDefinition;
}

export function specSchema(crd: CustomResourceDefinition): JsonSchema {
  return objectSchema(crd).properties.spec;
}

/** The whole object's schema: root rules (on metadata.name) as well as the spec's. */
export function objectSchema(crd: CustomResourceDefinition): JsonSchema & { properties: Record<string, JsonSchema> } {
  return crd.spec.versions[0].schema.openAPIV3Schema as JsonSchema & { properties: Record<string, JsonSchema> };
}
