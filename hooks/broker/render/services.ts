import type { KubeObject } from '../../core/metacontroller.js';
import { commonLabels } from '../../k8s/labels.js';
import { brokerDisruptionBudgetName, brokerPodSelector, brokerServiceName } from '../names.js';
import { brokerPorts } from './pod.js';
import { renderDisruptionBudget } from '../../k8s/disruption-budget.js';

/**
 * Headless Service: every broker pod gets `<pod>.<service>.<namespace>.svc`, Ready or not, by which
 * DLedger peers find each other. It also carries the metrics port rather than a Service of its own:
 * it selects exactly this Broker's pods and, being headless, lists each pod as a scrape target.
 */
export function renderBrokerService(name: string, namespace: string, metricsPort: number | undefined, dledger = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: brokerServiceName(name), namespace, labels: commonLabels('broker', name) },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: brokerPodSelector(name),
      ports: Object.entries(brokerPorts(metricsPort, dledger)).map(([portName, port]) => ({
        name: portName,
        port,
        targetPort: port,
        protocol: 'TCP',
      })),
    },
  };
}

/** Node drains evict one broker pod at a time across the whole cluster. */
export function renderBrokerDisruptionBudget(name: string, namespace: string): KubeObject {
  return renderDisruptionBudget({
    component: 'broker',
    instance: name,
    name: brokerDisruptionBudgetName(name),
    namespace,
    podSelector: brokerPodSelector(name),
  });
}
