import { DEFAULT_SETTINGS, type KindHooks } from '../core/kind-hooks.js';
import { type KubeObject, ObservedObjects } from '../core/metacontroller.js';
import type { Parent } from '../core/parent.js';
import { renderStorage, type Storage } from '../k8s/storage.js';
import { aclGeneration, aclSecretOf, brokerAclProperties } from '../rocketmq-pods/acl.js';
import { imageFlavor } from '../rocketmq-pods/image.js';
import { findNameServers, nameServiceRules } from '../rocketmq-pods/nameservers.js';
import type { BrokerSpec, BrokerStatus } from '../schema/types.js';
import { type BrokerMember, brokerMembers, membersBeyondSpec } from './members.js';
import { COPIED_BY_ANNOTATION, COPY_MARK_ANNOTATION, planMetadataCopy } from './metadata-copy.js';
import { clusterNameOf } from '../rocketmq-pods/cluster.js';
import { brokerConfigKey, brokerConfigMapName, brokerPodSelector } from './names.js';
import { brokerConf, masterRole, renderBrokerConfigMap } from './render/config.js';
import { brokerPodRenderer, type PodTemplate, TEMPLATE_HASH_ANNOTATION } from './render/pod.js';
import { renderBrokerDisruptionBudget, renderBrokerService } from './render/services.js';
import { observedTemplate, renderBrokerStatefulSet } from './render/statefulsets.js';
import { heldBrokers, observedStatefulSet, planBrokerRollout, rollingPod } from './rollout.js';
import { brokerStatus } from './status.js';
import { configMapRules, userCommonConf } from './userconfig.js';
import { checkBrokerChildren, readBroker, validateBrokerSpec } from './validate.js';

/** While a rollout moves, progress is checked again even if no watched object changes. */
const ROLLOUT_RESYNC_SECONDS = 15;

interface DesiredBroker {
  member: BrokerMember;
  conf: string;
  template: PodTemplate;
}

/** What every broker should run now: its broker.conf and pod template. */
function desiredBrokers(
  parent: Parent<BrokerSpec>,
  members: BrokerMember[],
  storage: Storage,
  nameServers: string,
  related: ObservedObjects,
): DesiredBroker[] {
  const { name, namespace, spec } = parent;
  const commonConf = userCommonConf(`Broker ${namespace}/${name}`, namespace, spec.volumes, related);
  const role = masterRole(spec.replicationMode, spec.properties, commonConf);
  const storeRoot = `${imageFlavor(spec.brokerImage, spec.imageFlavor).dataRoot}/store`;
  const aclProperties = aclSecretOf(spec.acl) === undefined ? undefined : brokerAclProperties(aclGeneration(spec.brokerImage));
  // What every broker's template shares is built once, then each broker's own parts.
  const podTemplate = brokerPodRenderer(parent, nameServers, storage);
  return members.map((member) => {
    const conf = brokerConf({
      clusterName: clusterNameOf(name, spec),
      member,
      masterRole: role,
      commonConf,
      properties: spec.properties,
      storeRoot,
      aclProperties,
    });
    return { member, conf, template: podTemplate(member, conf) };
  });
}

/** The name server list brokers run with now, from any observed broker's environment. */
function nameServersInUse(members: BrokerMember[], children: ObservedObjects): string | undefined {
  for (const member of members) {
    const env = observedStatefulSet(children, member)?.spec?.template?.spec?.containers?.[0]?.env;
    const value = env?.find((e) => e.name === 'NAMESRV_ADDR')?.value;
    if (value) return value;
  }
  return undefined;
}

/**
 * The NameService's list once it has every name server in service; until then the list brokers run
 * with, so a growing NameService never has brokers restarted onto name servers that are not up yet.
 */
function brokerNameServers(
  parent: Parent<BrokerSpec>,
  members: BrokerMember[],
  children: ObservedObjects,
  related: ObservedObjects,
): string {
  const found = findNameServers({ kind: 'Broker', ...parent }, related);
  return found.settled ? found.addresses : (nameServersInUse(members, children) ?? found.addresses);
}

export const brokerHooks: KindHooks<BrokerStatus> = {
  kind: 'Broker',

  customize(parent) {
    const { name } = parent.metadata;
    const namespace = parent.metadata.namespace ?? 'default';
    const spec = validateBrokerSpec(name, parent.spec);
    return [
      // Pod readiness and revisions feed the per-group status and status.nodes.
      { apiVersion: 'v1', resource: 'pods', namespace, labelSelector: { matchLabels: brokerPodSelector(name) } },
      ...nameServiceRules(namespace, spec),
      ...configMapRules(namespace, spec.volumes),
    ];
  },

  sync(request, now, settings = DEFAULT_SETTINGS) {
    // Read and validate.
    const parent = readBroker(request);
    const { name, namespace, spec } = parent;
    const children = new ObservedObjects(request.children);
    const related = new ObservedObjects(request.related);
    const members = brokerMembers(
      name,
      spec,
      children.list('StatefulSet', 'apps/v1').map((s) => s.metadata.name),
    );
    const storage = renderStorage(spec, 'broker-storage');
    checkBrokerChildren(parent, members, storage);

    // Decide: what each broker should run, which one restarts now, what the metadata copy does.
    const nameServers = brokerNameServers(parent, members, children, related);
    const brokers = desiredBrokers(parent, members, storage, nameServers, related);
    const desiredHashes = new Map(brokers.map((b) => [b.member.statefulSet, b.template.metadata.annotations[TEMPLATE_HASH_ANNOTATION]]));
    const plan = planBrokerRollout(members, desiredHashes, children, spec.allowRestart);
    const held = heldBrokers(plan);
    const copy = planMetadataCopy({
      name,
      namespace,
      spec,
      members,
      observed: children,
      nameServers,
      runnerImage: settings.runnerImage,
      now,
    });

    // Render. A broker waiting for its restart keeps its broker.conf too, so a crash restart runs what it ran before.
    const observedConf = children.get('ConfigMap', 'v1', brokerConfigMapName(name))?.data ?? {};
    const confData: Record<string, string> = {};
    const statefulSets: KubeObject[] = [];
    for (const { member, conf, template } of brokers) {
      const observed = observedStatefulSet(children, member);
      const key = brokerConfigKey(member);
      const keep = held.has(member.statefulSet) && observed !== undefined;
      confData[key] = keep ? (observedConf[key] ?? conf) : conf;
      const statefulSet = renderBrokerStatefulSet(parent, member, keep ? observedTemplate(observed) : template, storage, observed);
      const mark = copy.marks.get(member.statefulSet);
      const copiedBy = copy.copiedBy.get(member.statefulSet);
      if (mark) {
        statefulSet.metadata.annotations = {
          ...statefulSet.metadata.annotations,
          [COPY_MARK_ANNOTATION]: mark,
          ...(copiedBy ? { [COPIED_BY_ANNOTATION]: copiedBy } : {}),
        };
      }
      statefulSets.push(statefulSet);
    }

    // Status, from what is observed.
    const pods = related.list('Pod', 'v1');
    const podBeingReplaced = rollingPod(plan, members, children);
    const status = brokerStatus(
      {
        name,
        spec,
        previous: parent.status,
        members,
        beyondSpec: membersBeyondSpec(members, spec),
        desiredHashes,
        observed: children,
        pods,
        podsByName: new Map(pods.map((p) => [p.metadata.name, p])),
        nameServers,
        plan,
        rollingPod: podBeingReplaced,
        copies: copy.copies,
        copyMarks: copy.marks,
      },
      now,
    );
    const rollingOut = plan.state === 'Rolling' || plan.state === 'Waiting' || podBeingReplaced !== undefined;
    const resync = [rollingOut ? ROLLOUT_RESYNC_SECONDS : undefined, copy.resyncAfterSeconds].filter((s): s is number => s !== undefined);
    return {
      status,
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
