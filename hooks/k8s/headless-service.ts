import type { KubeObject } from '../core/metacontroller.js';
import { type Component, commonLabels } from './labels.js';

export interface HeadlessService {
  component: Component;
  /** The parent's name, the instance label of the Service. */
  instance: string;
  name: string;
  namespace: string;
  podSelector: Record<string, string>;
  /** Port name to port number, the same inside the pods. */
  ports: Record<string, number>;
}

/**
 * The Service a StatefulSet is governed by: every pod gets `<pod>.<name>.<namespace>.svc`, published
 * before the pod is Ready, because the servers must find each other while they start.
 */
export function renderHeadlessService({ component, instance, name, namespace, podSelector, ports }: HeadlessService): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: commonLabels(component, instance) },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: podSelector,
      ports: Object.entries(ports).map(([portName, port]) => ({ name: portName, port, targetPort: port, protocol: 'TCP' })),
    },
  };
}
