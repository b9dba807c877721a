import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../hooks/schema/crds.js';

const RESOURCE_KINDS: Record<string, string> = {
  services: 'Service',
  statefulsets: 'StatefulSet',
  configmaps: 'ConfigMap',
  deployments: 'Deployment',
  poddisruptionbudgets: 'PodDisruptionBudget',
  jobs: 'Job',
  serviceaccounts: 'ServiceAccount',
  roles: 'Role',
  rolebindings: 'RoleBinding',
};

export interface CompositeController {
  metadata: { name: string };
  spec: {
    parentResource: { apiVersion: string; resource: string };
    childResources: { apiVersion: string; resource: string; updateStrategy?: { method: string } }[];
    hooks: Record<string, { version: string; webhook: { path: string; responseUnMarshallMode?: string } }>;
  };
}

export function loadCompositeControllers(): CompositeController[] {
  const dir = join(packageRoot(), 'compositecontrollers');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as CompositeController & { kind: string })
    .filter((doc) => doc.kind === 'CompositeController');
}

/** "apps/v1 StatefulSet" strings for the child types a parent resource's controller declares. */
export function declaredChildTypes(parentResource: string): Set<string> {
  const controller = loadCompositeControllers().find((c) => c.spec.parentResource.resource === parentResource);
  if (!controller) throw new Error(`no CompositeController for ${parentResource}`);
  return new Set(controller.spec.childResources.map((c) => `${c.apiVersion} ${RESOURCE_KINDS[c.resource]}`));
}
