import type { KubeObject } from '../core/metacontroller.js';
import { type Component, commonLabels } from './labels.js';

export interface DisruptionBudget {
  component: Component;
  /** The parent's name, the instance label of the budget. */
  instance: string;
  name: string;
  namespace: string;
  podSelector: Record<string, string>;
}

/** Node drains evict one pod of the selection at a time, as the operator's own restarts do. */
export function renderDisruptionBudget({ component, instance, name, namespace, podSelector }: DisruptionBudget): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace, labels: commonLabels(component, instance) },
    spec: { maxUnavailable: 1, selector: { matchLabels: podSelector } },
  };
}
