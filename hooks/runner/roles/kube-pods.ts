// The broker pods as the observer sees and annotates them: list by label selector and merge-patch
// one annotation, which is all its Role allows.
import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { observedRole, ROLE_ANNOTATION } from '../../broker/roles.js';
import type { BrokerPod, RoleChange } from './observe.js';

export interface KubernetesBrokerPods {
  listPods(): Promise<BrokerPod[]>;
  annotate(change: RoleChange): Promise<void>;
}

export function kubernetesBrokerPods(kubeConfig: KubeConfig, namespace: string, labelSelector: string): KubernetesBrokerPods {
  const api = kubeConfig.makeApiClient(CoreV1Api);
  return {
    async listPods() {
      const list = await api.listNamespacedPod({ namespace, labelSelector });
      return list.items.map((pod) => {
        const role = observedRole(pod);
        return { name: pod.metadata?.name ?? '', ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}), ...(role ? { role } : {}) };
      });
    },
    async annotate({ pod, role }) {
      // null removes the annotation in a merge patch.
      const body = { metadata: { annotations: { [ROLE_ANNOTATION]: role ?? null } } };
      await api.patchNamespacedPod({ namespace, name: pod, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
  };
}
