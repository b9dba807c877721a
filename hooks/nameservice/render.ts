import { merged } from '../core/merged.js';
import type { NameServiceSpec } from '../schema/types.js';
import type { KubeObject } from '../core/metacontroller.js';
import { commonLabels } from '../k8s/labels.js';
import { imageFlavor, STOP_JVMS_LIFECYCLE } from '../rocketmq-pods/image.js';
import { withHeapForLimit } from '../rocketmq-pods/jvm.js';
import { NAME_SERVER_PORT, podServiceName, type PodServicesMode } from '../rocketmq-pods/nameservers.js';
import { CONTROLLER_PORT } from '../rocketmq-pods/raft.js';
import { renderHeadlessService } from '../k8s/headless-service.js';
import { renderStorage } from '../k8s/storage.js';
import { canonicalResources } from '../k8s/quantity.js';
import { prune } from '../k8s/prune.js';
import { keepImmutableFields } from '../k8s/statefulset.js';
import { DEFAULT_CONTAINER_SECURITY_CONTEXT, defaultPodSecurityContext, passThroughPodFields, tcpProbe } from '../k8s/pod.js';
import { embeddedControllerPod, runsController } from './controller.js';

export interface NameServiceParent {
  name: string;
  namespace: string;
  spec: NameServiceSpec;
}

/** Pod labels of the original operator, kept so its StatefulSets' immutable selectors still match. */
export function nameServerPodSelector(name: string): Record<string, string> {
  return { app: 'name_service', name_service_cr: name };
}

export function renderNameServerService({ name, namespace, spec }: NameServiceParent): KubeObject {
  // Brokers need every name server's address as soon as the pod exists, not once it is Ready, and
  // embedded controllers their peers' while they start.
  return renderHeadlessService({
    component: 'nameservice',
    instance: name,
    name,
    namespace,
    podSelector: nameServerPodSelector(name),
    ports: runsController(spec) ? { main: NAME_SERVER_PORT, controller: CONTROLLER_PORT } : { main: NAME_SERVER_PORT },
  });
}

/**
 * Per-pod Services are needed while clients may use them (the annotation is set) and whenever the
 * observed StatefulSet cannot give its pods DNS names under the headless Service (a serviceName
 * other than the NameService's, which cannot be changed), whoever set what.
 */
export function needsPodServices({ name }: NameServiceParent, mode: PodServicesMode | undefined, observed?: KubeObject): boolean {
  if (mode) return true;
  return observed !== undefined && (observed.spec as { serviceName?: string } | undefined)?.serviceName !== name;
}

/** One ClusterIP Service per name server pod, selecting it by the name the StatefulSet controller labels it with. */
export function renderNameServerPodServices({ name, namespace, spec }: NameServiceParent): KubeObject[] {
  return Array.from({ length: spec.size }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: podServiceName(name, i), namespace, labels: commonLabels('nameservice', name) },
    spec: {
      selector: { 'statefulset.kubernetes.io/pod-name': `${name}-${i}` },
      ports: [{ name: 'main', port: NAME_SERVER_PORT, targetPort: NAME_SERVER_PORT, protocol: 'TCP' }],
    },
  }));
}

/** The log volume's name when volumeClaimTemplates[0] names none. */
export const NAME_SERVER_VOLUME = 'namesrv-storage';

export function renderNameServerStatefulSet(parent: NameServiceParent, observed?: KubeObject): KubeObject {
  const { name, namespace, spec } = parent;
  const flavor = imageFlavor(spec.nameServiceImage, spec.imageFlavor);
  const storage = renderStorage(spec, NAME_SERVER_VOLUME);
  const selector = nameServerPodSelector(name);
  const resources = canonicalResources(spec.resources);
  const memoryLimit = resources?.limits?.memory;
  const controller = runsController(spec) ? embeddedControllerPod(parent, storage.volumeName) : undefined;
  const container = {
    name: 'name-service',
    image: spec.nameServiceImage,
    imagePullPolicy: spec.imagePullPolicy,
    command: controller?.command ?? flavor.nameServerCommand,
    resources,
    env: withHeapForLimit([...(controller?.env ?? []), ...(prune(spec.env) ?? [])], memoryLimit),
    ports: [{ name: 'main', containerPort: NAME_SERVER_PORT, protocol: 'TCP' }, ...(controller ? [controller.port] : [])],
    securityContext: spec.containerSecurityContext ?? DEFAULT_CONTAINER_SECURITY_CONTEXT,
    volumeMounts: [
      { name: storage.volumeName, mountPath: `${flavor.dataRoot}/logs`, subPath: 'logs' },
      ...(controller?.volumeMounts ?? []),
    ],
    readinessProbe: tcpProbe(NAME_SERVER_PORT, 5, 3),
    livenessProbe: tcpProbe(NAME_SERVER_PORT, 30, 6),
    lifecycle: STOP_JVMS_LIFECYCLE,
  };
  const statefulSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels: commonLabels('nameservice', name) },
    spec: {
      replicas: spec.size,
      serviceName: name,
      // Name servers share nothing, so they can start together.
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: merged(selector, commonLabels('nameservice', name)),
          annotations: controller ? merged(spec.podAnnotations, controller.annotations) : spec.podAnnotations,
        },
        spec: merged(passThroughPodFields(spec), {
          hostNetwork: spec.hostNetwork || undefined,
          dnsPolicy: spec.dnsPolicy ?? (spec.hostNetwork ? 'ClusterFirstWithHostNet' : undefined),
          securityContext: spec.securityContext ?? defaultPodSecurityContext(flavor),
          containers: [container],
          volumes: controller ? [...storage.volumes, controller.volume] : storage.volumes,
        }),
      },
      volumeClaimTemplates: storage.volumeClaimTemplates,
    },
  };
  return keepImmutableFields(prune(statefulSet), observed);
}
