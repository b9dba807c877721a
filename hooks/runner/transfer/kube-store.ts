// The transfer record as an annotation on its TopicTransfer: needs only `get` and `patch` on that
// one object, which is all the Role the hook renders for the runner allows.
import { ApiException, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { readTransferState, TRANSFER_STATE_ANNOTATION } from '../../topictransfer/state.js';
import { ConflictError, type TransferStore } from './store.js';

interface TransferObject {
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
}

export function kubernetesTransferStore(kubeConfig: KubeConfig, namespace: string, name: string): TransferStore {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const object = { group: 'rocketmq.apache.org', version: 'v1alpha1', namespace, plural: 'topictransfers', name };
  const where = `TopicTransfer ${namespace}/${name}`;
  /** The record as this store last read or wrote it. */
  let known: { version: string; text?: string } | undefined;

  async function read(): Promise<{ version: string; text?: string }> {
    const found = (await api.getNamespacedCustomObject(object)) as TransferObject;
    return { version: found.metadata.resourceVersion, text: found.metadata.annotations?.[TRANSFER_STATE_ANNOTATION] };
  }

  return {
    async load() {
      known = await read();
      const state = readTransferState({ [TRANSFER_STATE_ANNOTATION]: known.text ?? '' });
      // Starting over on a record that cannot be read would take today's source as the original.
      if (known.text && !state) throw new Error(`the ${TRANSFER_STATE_ANNOTATION} annotation of ${where} is unreadable; not acting on it`);
      return { state, version: known.version };
    },

    async save(state, version) {
      const text = JSON.stringify(state);
      let at = version;
      for (let attempt = 1; ; attempt++) {
        try {
          const patch = { metadata: { resourceVersion: at, annotations: { [TRANSFER_STATE_ANNOTATION]: text } } };
          const saved = (await api.patchNamespacedCustomObject(
            { ...object, body: patch },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          )) as TransferObject;
          known = { version: saved.metadata.resourceVersion, text };
          return known.version;
        } catch (error) {
          if (!(error instanceof ApiException && error.code === 409)) throw error;
        }
        // Metacontroller's status writes also move the resourceVersion: only a changed record means
        // that another runner wrote.
        const current = await read();
        if (known === undefined || at !== known.version || current.text !== known.text) {
          throw new ConflictError(`${where} was changed by someone else since version ${version}; another runner owns this transfer`);
        }
        if (attempt >= 10) throw new Error(`${where} keeps changing under the runner; giving up this write`);
        known = current;
        at = current.version;
      }
    },
  };
}
