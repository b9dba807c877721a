// The ConfigMap every kind keeps its generated files in, labelled as the kind's other children.
import { merged } from '../core/merged.js';
import type { KubeObject } from '../core/metacontroller.js';
import { type Component, commonLabels } from './labels.js';

export interface ConfigMapInput {
  component: Component;
  /** The parent's name, for the labels. */
  instance: string;
  name: string;
  namespace: string;
  data: Record<string, string>;
  /** Left out when empty, as the API server stores it. */
  annotations?: Record<string, string>;
}

export function renderConfigMap({ component, instance, name, namespace, data, annotations = {} }: ConfigMapInput): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: merged(
      { name, namespace, labels: commonLabels(component, instance) },
      Object.keys(annotations).length > 0 ? { annotations } : undefined,
    ),
    data,
  };
}
