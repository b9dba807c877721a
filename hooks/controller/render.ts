// The controllers: a StatefulSet whose pods form one DLedger Raft group, each starting from its own
// file of the ConfigMap; the headless Service that gives them stable DNS names, a Service in front
// of them all, and a PodDisruptionBudget that keeps a majority running.
import { merged } from '../core/merged.js';
import { renderConfigMap } from '../k8s/config-map.js';
import type { KubeObject } from '../core/metacontroller.js';
import { renderDisruptionBudget } from '../k8s/disruption-budget.js';
import { renderHeadlessService } from '../k8s/headless-service.js';
import { shortTextHash } from '../k8s/hash.js';
import { commonLabels } from '../k8s/labels.js';
import { DEFAULT_CONTAINER_SECURITY_CONTEXT, defaultPodSecurityContext, passThroughPodFields, tcpProbe } from '../k8s/pod.js';
import { prune } from '../k8s/prune.js';
import { canonicalResources } from '../k8s/quantity.js';
import { keepImmutableFields } from '../k8s/statefulset.js';
import { renderStorage } from '../k8s/storage.js';
import { imageFlavor, STOP_JVMS_LIFECYCLE } from '../rocketmq-pods/image.js';
import { withHeapForLimit } from '../rocketmq-pods/jvm.js';
import type { ControllerSpec } from '../schema/types.js';
import {
  CONFIG_HASH_ANNOTATION,
  CONTROLLER_PORT,
  controllerConfigFiles,
  type ControllerConfigInput,
  POD_NAME_VARIABLE,
  startWithOrdinalFile,
} from '../rocketmq-pods/raft.js';
import { clientServiceName, headlessServiceName } from '../rocketmq-pods/controllers.js';
import { controllerAddresses, controllerConfigMapName, controllerPodSelector } from './names.js';

const CONFIG_DIR = '/etc/rocketmq-controller';
const CONFIG_VOLUME = 'controller-config';
/** The data volume's default name (volumeClaimTemplates[0] names it otherwise). */
export const CONTROLLER_VOLUME = 'controller-storage';
/** Both image families have bin/mqcontroller under $ROCKETMQ_HOME. */
const START = startWithOrdinalFile('mqcontroller', CONFIG_DIR);

export interface ControllerParent {
  name: string;
  namespace: string;
  spec: ControllerSpec;
}

function flavorOf(spec: ControllerSpec) {
  return imageFlavor(spec.controllerImage, spec.imageFlavor);
}

/** What the configuration files are made of: the store path depends on the image's data root. */
export function configInput({ name, namespace, spec }: ControllerParent): ControllerConfigInput {
  return {
    group: `ControllerGroup-${name}`,
    addresses: controllerAddresses(name, namespace, spec.size),
    storePath: `${flavorOf(spec).dataRoot}/store`,
  };
}

export function renderControllerConfigMap(parent: ControllerParent): KubeObject {
  const { name, namespace } = parent;
  return renderConfigMap({
    component: 'controller',
    instance: name,
    name: controllerConfigMapName(name),
    namespace,
    data: controllerConfigFiles(configInput(parent)),
  });
}

const PORTS = { controller: CONTROLLER_PORT };

export function renderControllerHeadlessService({ name, namespace }: ControllerParent): KubeObject {
  return renderHeadlessService({
    component: 'controller',
    instance: name,
    name: headlessServiceName(name),
    namespace,
    podSelector: controllerPodSelector(name),
    ports: PORTS,
  });
}

export function renderClientService({ name, namespace }: ControllerParent): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: clientServiceName(name), namespace, labels: commonLabels('controller', name) },
    spec: {
      selector: controllerPodSelector(name),
      ports: [{ name: 'controller', port: CONTROLLER_PORT, targetPort: CONTROLLER_PORT, protocol: 'TCP' }],
    },
  };
}

export function renderControllerStatefulSet(parent: ControllerParent, observed?: KubeObject): KubeObject {
  const { name, namespace, spec } = parent;
  const flavor = flavorOf(spec);
  const storage = renderStorage(spec, CONTROLLER_VOLUME);
  const selector = controllerPodSelector(name);
  const resources = canonicalResources(spec.resources);
  const memoryLimit = resources?.limits?.memory;
  const configText = JSON.stringify(controllerConfigFiles(configInput(parent)));
  const env = [
    { name: POD_NAME_VARIABLE, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ...(prune(spec.env) ?? []),
  ];
  const container = {
    name: 'controller',
    image: spec.controllerImage,
    imagePullPolicy: spec.imagePullPolicy,
    command: ['sh', '-c', START],
    resources,
    env: withHeapForLimit(env, memoryLimit),
    ports: [{ name: 'controller', containerPort: CONTROLLER_PORT, protocol: 'TCP' }],
    securityContext: spec.containerSecurityContext ?? DEFAULT_CONTAINER_SECURITY_CONTEXT,
    volumeMounts: [
      { name: storage.volumeName, mountPath: `${flavor.dataRoot}/logs`, subPath: 'logs' },
      { name: storage.volumeName, mountPath: `${flavor.dataRoot}/store`, subPath: 'store' },
      { name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true },
    ],
    readinessProbe: tcpProbe(CONTROLLER_PORT, 5, 3),
    livenessProbe: tcpProbe(CONTROLLER_PORT, 30, 6),
    // The start script keeps a shell, which ignores SIGTERM, between the container and the JVM.
    lifecycle: STOP_JVMS_LIFECYCLE,
  };
  const statefulSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels: commonLabels('controller', name) },
    spec: {
      replicas: spec.size,
      serviceName: headlessServiceName(name),
      // A Raft group elects a leader only once a majority runs: all pods start together.
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: merged(selector, commonLabels('controller', name)),
          annotations: merged(spec.podAnnotations, { [CONFIG_HASH_ANNOTATION]: shortTextHash(configText) }),
        },
        spec: merged(passThroughPodFields(spec), {
          securityContext: spec.securityContext ?? defaultPodSecurityContext(flavor),
          containers: [container],
          volumes: [...storage.volumes, { name: CONFIG_VOLUME, configMap: { name: controllerConfigMapName(name) } }],
        }),
      },
      volumeClaimTemplates: storage.volumeClaimTemplates,
    },
  };
  return keepImmutableFields(prune(statefulSet), observed);
}

/** Node drains take one controller at a time, so a majority (of 3 or more) keeps electing masters. */
export function renderControllerDisruptionBudget({ name, namespace }: ControllerParent): KubeObject {
  return renderDisruptionBudget({ component: 'controller', instance: name, name, namespace, podSelector: controllerPodSelector(name) });
}
