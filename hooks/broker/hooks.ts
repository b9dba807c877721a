import { DEFAULT_SETTINGS, type KindHooks } from '../core/kind-hooks.js';
import { type KubeObject, ObservedObjects } from '../core/metacontroller.js';
import { type Parent, readParent } from '../core/parent.js';
import { imageFlavor } from '../rocketmq-pods/image.js';
import { nameServiceRules, resolveNameServers } from '../rocketmq-pods/nameservers.js';
import { renderStorage, type Storage } from '../k8s/storage.js';
import type { BrokerSpec, BrokerStatus } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { type BrokerMember, brokerMembers, membersBeyondSpec } from './members.js';
import { brokerConfigKey, brokerConfigMapName, brokerPodSelector, checkBrokerNames } from './names.js';
import { brokerConf, checkProperties, masterRole, renderBrokerConfigMap } from './render/config.js';
import { brokerPodTemplate, checkVolumeNames, type PodTemplate, TEMPLATE_HASH_ANNOTATION } from './render/pod.js';
import { renderBrokerDisruptionBudget, renderBrokerService } from './render/services.js';
import { observedTemplate, renderBrokerStatefulSet } from './render/statefulsets.js';
import { heldBrokers, observedStatefulSet, planBrokerRollout, rollingPod } from './rollout.js';
import { brokerStatus } from './status.js';
import { planMetadataCopy } from './metadata-copy.js';
import { configMapRules, userCommonConf } from './userconfig.js';

const validateSpec = compileSpecValidator<BrokerSpec>('Broker');

/** While a rollout moves, progress is checked again even if no watched object changes. */
const ROLLOUT_RESYNC_SECONDS = 15;

interface DesiredBroker {
  member: BrokerMember;
  conf: string;
  template: PodTemplate;
}

/** What every broker should run now: its broker.conf and pod template. */
function desiredBrokers(parent: Parent<BrokerSpec>, members: BrokerMember[], storage: Storage, related: ObservedObjects): { nameServers: string; brokers: DesiredBroker[] } {
  const { name, namespace, spec } = parent;
  const nameServers = resolveNameServers({ kind: 'Broker', name, namespace, spec }, related);
  const commonConf = userCommonConf(`Broker ${namespace}/${name}`, namespace, spec.volumes, related);
  const role = masterRole(spec.replicationMode, spec.properties, commonConf);
  const storeRoot = `${imageFlavor(spec.brokerImage).dataRoot}/store`;
  const brokers = members.map((member) => {
    const conf = brokerConf({ clusterName: name, member, masterRole: role, commonConf, properties: spec.properties, storeRoot });
    return { member, conf, template: brokerPodTemplate({ parent, member, nameServers, conf, storage }) };
  });
  return { nameServers, brokers };
}

export const brokerHooks: KindHooks = {
  kind: 'Broker',

  customize(parent) {
    const { name } = parent.metadata;
    const namespace = parent.metadata.namespace ?? 'default';
    const spec = validateSpec(name, parent.spec);
    return [
      // Pod readiness and revisions feed the per-group status and status.nodes.
      { apiVersion: 'v1', resource: 'pods', namespace, labelSelector: { matchLabels: brokerPodSelector(name) } },
      ...nameServiceRules(namespace, spec),
      ...configMapRules(namespace, spec.volumes),
    ];
  },

  sync(request, now, settings = DEFAULT_SETTINGS) {
    const parent = readParent(request, 'Broker', validateSpec);
    const { name, namespace, spec } = parent;
    checkProperties(name, spec.properties);
    const children = new ObservedObjects(request.children);
    const members = brokerMembers(name, spec, children.list('StatefulSet', 'apps/v1').map((s) => s.metadata.name));
    checkBrokerNames(name, members);
    const storage = renderStorage(spec, 'broker-storage');
    checkVolumeNames(parent, storage);

    const related = new ObservedObjects(request.related);
    const { nameServers, brokers } = desiredBrokers(parent, members, storage, related);
    const desiredHashes = new Map(brokers.map((b) => [b.member.statefulSet, b.template.metadata.annotations[TEMPLATE_HASH_ANNOTATION]]));
    const plan = planBrokerRollout(members, desiredHashes, children, spec.allowRestart);
    const held = heldBrokers(plan);

    // A broker waiting for its restart keeps its broker.conf too, so a crash restart runs what it ran before.
    const observedConf = (children.get('ConfigMap', 'v1', brokerConfigMapName(name))?.data ?? {}) as Record<string, string>;
    const confData: Record<string, string> = {};
    const statefulSets: KubeObject[] = [];
    for (const { member, conf, template } of brokers) {
      const observed = observedStatefulSet(children, member);
      const key = brokerConfigKey(member);
      const keep = held.has(member.statefulSet) && observed !== undefined;
      confData[key] = keep ? (observedConf[key] ?? conf) : conf;
      statefulSets.push(renderBrokerStatefulSet(parent, member, keep ? observedTemplate(observed) : template, storage, observed));
    }

    const podBeingReplaced = rollingPod(plan, members, children);
    const previous = parent.status as BrokerStatus | undefined;
    const copy = planMetadataCopy({ name, namespace, spec, members, observed: children, previous, nameServers, runnerImage: settings.runnerImage, now });
    const status = brokerStatus(
      {
        spec,
        previous,
        members,
        beyondSpec: membersBeyondSpec(members, spec),
        desiredHashes,
        observed: children,
        pods: related.list('Pod', 'v1'),
        nameServers,
        plan,
        rollingPod: podBeingReplaced,
        copies: copy.copies,
      },
      now,
    );
    const rollingOut = plan.state === 'Rolling' || plan.state === 'Waiting' || podBeingReplaced !== undefined;
    const resync = [rollingOut ? ROLLOUT_RESYNC_SECONDS : undefined, copy.resyncAfterSeconds].filter((s): s is number => s !== undefined);
    return {
      status: status as Record<string, unknown>,
      children: [
        renderBrokerService(name, namespace),
        renderBrokerConfigMap(name, namespace, confData),
        ...statefulSets,
        renderBrokerDisruptionBudget(name, namespace),
        ...copy.jobs,
      ],
      ...(resync.length > 0 ? { resyncAfterSeconds: Math.min(...resync) } : {}),
    };
  },
};
