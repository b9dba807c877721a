import type { KubeObject } from '../../core/metacontroller.js';
import { commonLabels } from '../../k8s/labels.js';
import { brokerDisruptionBudgetName, brokerPodSelector, brokerServiceName } from '../names.js';
import { BROKER_PORTS } from './pod.js';
import { renderDisruptionBudget } from '../../k8s/disruption-budget.js';

/** Headless Service: every broker pod gets `<pod>.<service>.<namespace>.svc`, Ready or not. */
export function renderBrokerService(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: brokerServiceName(name), namespace, labels: commonLabels('broker', name) },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: brokerPodSelector(name),
      ports: Object.entries(BROKER_PORTS).map(([portName, port]) => ({ name: portName, port, targetPort: port, protocol: 'TCP' })),
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
