// A container's env as the kubelet resolves it: the image's ENV, then the pod's entries in order,
// each value with $(VAR) of earlier entries expanded, valueFrom read from the pod and its ConfigMaps.
import type { V1ConfigMap, V1Container, V1EnvVar } from '@kubernetes/client-node';
import { quantityToBytes } from '../../../hooks/k8s/quantity.js';
import type { PodDefinition } from './pod.js';

/** Kubernetes' $(VAR) references to earlier entries; $$ is a literal $. */
export function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) => (name === undefined ? '$' : (env[name] ?? m)));
}

function fieldValue(path: string, pod: PodDefinition, address: string): string {
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'status.podIP':
    case 'status.hostIP':
      return address;
    default:
      throw new Error(`pod ${pod.name}: fieldRef ${path} not supported by the harness`);
  }
}

function resourceValue(entry: V1EnvVar, container: V1Container): string {
  const ref = entry.valueFrom!.resourceFieldRef!;
  const [kind, resource] = ref.resource.split('.') as ['limits' | 'requests', string];
  const quantity = container.resources?.[kind]?.[resource];
  if (quantity === undefined) throw new Error(`env ${entry.name}: ${ref.resource} not set (the node's capacity would be used)`);
  return String(Math.ceil(quantityToBytes(quantity) / quantityToBytes(ref.divisor ?? '1')));
}

export function resolveEnv(
  container: V1Container,
  pod: PodDefinition,
  address: string,
  configMaps: Map<string, V1ConfigMap>,
  imageEnv: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv };
  for (const entry of container.env ?? []) {
    const from = entry.valueFrom;
    if (!from) env[entry.name] = expand(entry.value ?? '', env);
    else if (from.fieldRef) env[entry.name] = fieldValue(from.fieldRef.fieldPath, pod, address);
    else if (from.resourceFieldRef) env[entry.name] = resourceValue(entry, container);
    else if (from.configMapKeyRef) {
      const { name, key, optional } = from.configMapKeyRef;
      const value = configMaps.get(name!)?.data?.[key];
      if (value !== undefined) env[entry.name] = value;
      else if (!optional) throw new Error(`pod ${pod.name}: env ${entry.name} needs ConfigMap ${name} key ${key}, which is not there`);
    } else throw new Error(`pod ${pod.name}: env ${entry.name} of a kind the harness does not support`);
  }
  return env;
}
