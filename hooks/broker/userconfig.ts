// The user's broker-common.conf, read from the ConfigMap a volume in spec.volumes names, as the
// original operator mounted it. Its content goes into each broker's generated broker.conf, so an
// edit reaches the brokers (one restart at a time) instead of waiting for a manual restart.
import type { V1ConfigMap, V1Volume } from '@kubernetes/client-node';
import { MissingDependencyError } from '../core/errors.js';
import type { ObservedObjects, RelatedResourceRule } from '../core/metacontroller.js';

export const COMMON_CONF_FILE = 'broker-common.conf';

function configMapVolumes(volumes: V1Volume[] | undefined): (V1Volume & { configMap: { name: string } })[] {
  return (volumes ?? []).filter((v): v is V1Volume & { configMap: { name: string } } => Boolean(v.configMap?.name));
}

/** The customize rule bringing the ConfigMaps spec.volumes mounts; none without such volumes. */
export function configMapRules(namespace: string, volumes: V1Volume[] | undefined): RelatedResourceRule[] {
  const names = [...new Set(configMapVolumes(volumes).map((v) => v.configMap.name))].sort();
  return names.length > 0 ? [{ apiVersion: 'v1', resource: 'configmaps', namespace, names }] : [];
}

/** The ConfigMap key a volume shows as broker-common.conf, if it shows that file at all. */
function commonConfKey(volume: V1Volume, configMap: V1ConfigMap): string | undefined {
  const items = volume.configMap?.items;
  if (items && items.length > 0) return items.find((i) => i.path === COMMON_CONF_FILE)?.key;
  return configMap.data && COMMON_CONF_FILE in configMap.data ? COMMON_CONF_FILE : undefined;
}

/**
 * Content of broker-common.conf from the first ConfigMap volume showing that file, or undefined when
 * none does. A ConfigMap that a non-optional volume names must exist, or the pods could not start.
 */
export function userCommonConf(
  owner: string,
  namespace: string,
  volumes: V1Volume[] | undefined,
  related: ObservedObjects,
): string | undefined {
  let content: string | undefined;
  for (const volume of configMapVolumes(volumes)) {
    const configMap = related.get('ConfigMap', 'v1', volume.configMap.name);
    if (!configMap) {
      if (volume.configMap.optional) continue;
      throw new MissingDependencyError(
        `${owner} mounts ConfigMap "${volume.configMap.name}" (volume "${volume.name}" in spec.volumes), which does not exist in namespace ${namespace}: create it, with the broker settings under the key ${COMMON_CONF_FILE}, or remove the volume`,
      );
    }
    const key = commonConfKey(volume, configMap);
    if (key === undefined || content !== undefined) continue;
    if (configMap.data?.[key] === undefined) {
      throw new MissingDependencyError(
        `${owner} reads ${COMMON_CONF_FILE} from key "${key}" of ConfigMap "${volume.configMap.name}", which has no such key: add it or fix the volume's items`,
      );
    }
    content = configMap.data[key];
  }
  return content;
}
