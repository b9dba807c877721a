import { merged } from '../../core/merged.js';
import type { KubeObject } from '../../core/metacontroller.js';
import { commonLabels } from '../../k8s/labels.js';
import { markPruned, prune, pruneAround } from '../../k8s/prune.js';
import { keepImmutableFields } from '../../k8s/statefulset.js';
import type { Storage } from '../../k8s/storage.js';
import type { BrokerMember } from '../members.js';
import { BROKER_NAME_LABEL, brokerServiceName, memberPodSelector } from '../names.js';
import type { BrokerParent } from './pod.js';

/**
 * One broker's StatefulSet: one pod `<name>-0` and, in StorageClass mode, the claim
 * `<template>-<name>-0`, as the original operator named them. The template is either the desired
 * one or, while the broker waits for its turn to restart, the one it runs now.
 */
export function renderBrokerStatefulSet(
  parent: BrokerParent,
  member: BrokerMember,
  template: unknown,
  storage: Storage,
  observed?: KubeObject,
): KubeObject {
  const { name, namespace } = parent;
  // The template is pruned already (both kinds are marked so): only what is around it is looked at.
  const spec = markPruned(
    pruneAround(
      {
        replicas: 1,
        serviceName: brokerServiceName(name),
        // The API server's default, written out: it cannot change later, and the first render equals what is stored.
        podManagementPolicy: 'OrderedReady',
        selector: { matchLabels: memberPodSelector(name, member) },
        template,
        volumeClaimTemplates: storage.volumeClaimTemplates,
      },
      'template',
      template,
    ),
  );
  const statefulSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: member.statefulSet,
      namespace,
      labels: merged(commonLabels('broker', name), { [BROKER_NAME_LABEL]: member.brokerName }),
    },
    spec,
  };
  return keepImmutableFields(pruneAround(statefulSet, 'spec', spec), observed);
}

/** The observed pod template, as the API server returned it minus the nulls it prints. */
export function observedTemplate(observed: KubeObject): unknown {
  return markPruned(prune((observed.spec as { template?: unknown }).template));
}
