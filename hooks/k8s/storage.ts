import type { V1PersistentVolumeClaim, V1Volume } from '@kubernetes/client-node';
import { canonicalResources } from './quantity.js';

export interface StorageSpec {
  storageMode: 'EmptyDir' | 'HostPath' | 'StorageClass' | 'NFS';
  hostPath?: string;
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
}

export interface Storage {
  /** Name of the data volume: volumeClaimTemplates[0]'s name in every mode, as the original operator. */
  volumeName: string;
  /** Pod volume for EmptyDir and HostPath modes. */
  volumes: V1Volume[];
  /** StatefulSet claim templates for StorageClass mode. */
  volumeClaimTemplates: V1PersistentVolumeClaim[];
}

export function renderStorage(spec: StorageSpec, defaultVolumeName: string): Storage {
  const templates = spec.volumeClaimTemplates ?? [];
  const volumeName = templates[0]?.metadata?.name || defaultVolumeName;
  switch (spec.storageMode) {
    case 'StorageClass':
    case 'NFS':
      return { volumeName, volumes: [], volumeClaimTemplates: templates.map((t, i) => claimTemplate(t, i === 0 ? volumeName : undefined)) };
    case 'HostPath':
      return { volumeName, volumes: [{ name: volumeName, hostPath: { path: spec.hostPath! } }], volumeClaimTemplates: [] };
    default:
      return { volumeName, volumes: [{ name: volumeName, emptyDir: {} }], volumeClaimTemplates: [] };
  }
}

function claimTemplate(template: V1PersistentVolumeClaim, name?: string): V1PersistentVolumeClaim {
  const spec = template.spec ? { ...template.spec, resources: canonicalResources(template.spec.resources) } : template.spec;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    ...template,
    metadata: { ...template.metadata, ...(name ? { name } : {}) },
    spec,
  } as V1PersistentVolumeClaim;
}
