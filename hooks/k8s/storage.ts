import type { V1PersistentVolumeClaim, V1Volume } from '@kubernetes/client-node';
import { merged } from '../core/merged.js';
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

/** The modes whose data lives on PersistentVolumeClaims made from volumeClaimTemplates. */
export function usesClaims(spec: StorageSpec): boolean {
  return spec.storageMode === 'StorageClass' || spec.storageMode === 'NFS';
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

/**
 * A claim template as the API server stores it (volumeMode defaulted, a Pending status), so that
 * the StatefulSet rendered at creation equals the one observed after it and is not written again.
 */
function claimTemplate(template: V1PersistentVolumeClaim, name?: string): V1PersistentVolumeClaim {
  const spec = merged({ volumeMode: 'Filesystem' }, template.spec, { resources: canonicalResources(template.spec?.resources) });
  return merged({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, template, {
    metadata: merged(template.metadata, name ? { name } : undefined),
    spec,
    status: { phase: 'Pending' },
  });
}
