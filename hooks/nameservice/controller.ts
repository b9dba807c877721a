// RocketMQ's controller inside the name servers (spec.controller): each name server starts from its
// own file of a ConfigMap, chosen by its ordinal, which turns the controller on and makes the name
// servers one DLedger Raft group reached by their stable DNS names.
import { renderConfigMap } from '../k8s/config-map.js';
import type { KubeObject } from '../core/metacontroller.js';
import { InvalidSpecError } from '../core/errors.js';
import {
  CONFIG_HASH_ANNOTATION,
  CONTROLLER_PORT,
  controllerConfigFiles,
  POD_NAME_VARIABLE,
  startWithOrdinalFile,
} from '../rocketmq-pods/raft.js';
import { shortHash } from '../k8s/hash.js';
import { checkChildName } from '../k8s/names.js';
import { imageFlavor, imageVersion } from '../rocketmq-pods/image.js';
import { embeddedControllerAddresses } from '../rocketmq-pods/nameservers.js';
import type { NameServiceSpec } from '../schema/types.js';

interface NameServiceParent {
  name: string;
  namespace: string;
  spec: NameServiceSpec;
}

export function runsController(spec: NameServiceSpec): boolean {
  return spec.controller?.enabled === true;
}

export function nameServerConfigMapName(name: string): string {
  return `${name}-conf`;
}

const CONFIG_DIR = '/etc/rocketmq-namesrv';
const CONFIG_VOLUME = 'namesrv-config';

function configFiles({ name, namespace, spec }: NameServiceParent): Record<string, string> {
  const input = {
    group: `ControllerGroup-${name}`,
    addresses: embeddedControllerAddresses(name, namespace, spec.size),
    storePath: `${imageFlavor(spec.nameServiceImage, spec.imageFlavor).dataRoot}/store`,
  };
  return controllerConfigFiles(input, { enableControllerInNamesrv: 'true' });
}

/** 422 when the controller cannot run: a RocketMQ 4 image has none, and the ConfigMap's name must be valid. */
export function checkEmbeddedController({ name, spec }: NameServiceParent): void {
  if (!runsController(spec)) return;
  checkChildName('NameService', name, 'ConfigMap', nameServerConfigMapName(name));
  const major = imageVersion(spec.nameServiceImage)?.[0];
  if (major !== undefined && major < 5) {
    throw new InvalidSpecError('NameService', name, [
      `spec.controller.enabled: ${spec.nameServiceImage} is RocketMQ ${major}, which has no controller; use a RocketMQ 5 image (apache/rocketmq:5.3.3) or set enabled: false`,
    ]);
  }
}

/** The name servers' start files, one per pod. */
export function renderNameServerConfigMap(parent: NameServiceParent): KubeObject {
  const { name, namespace } = parent;
  return renderConfigMap({
    component: 'nameservice',
    instance: name,
    name: nameServerConfigMapName(name),
    namespace,
    data: configFiles(parent),
  });
}

/** What the controller adds to a name server's pod: a start from its file, the file, its port and its Raft log's directory. */
export function embeddedControllerPod(parent: NameServiceParent, dataVolume: string) {
  const dataRoot = imageFlavor(parent.spec.nameServiceImage, parent.spec.imageFlavor).dataRoot;
  return {
    command: ['sh', '-c', startWithOrdinalFile('mqnamesrv', CONFIG_DIR)],
    env: [{ name: POD_NAME_VARIABLE, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
    port: { name: 'controller', containerPort: CONTROLLER_PORT, protocol: 'TCP' },
    volumeMounts: [
      { name: dataVolume, mountPath: `${dataRoot}/store`, subPath: 'store' },
      { name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true },
    ],
    volume: { name: CONFIG_VOLUME, configMap: { name: nameServerConfigMapName(parent.name) } },
    // A new peer list (the size changed) restarts the name servers onto it.
    annotations: { [CONFIG_HASH_ANNOTATION]: shortHash(configFiles(parent)) },
  };
}
