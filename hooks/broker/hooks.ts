import { merged } from '../core/merged.js';
import { DEFAULT_SETTINGS, type KindHooks } from '../core/kind-hooks.js';
import { type KubeObject, ObservedObjects } from '../core/metacontroller.js';
import type { Parent } from '../core/parent.js';
import { claimGrowth, claimRules, storageResizeCondition } from '../k8s/claim-growth.js';
import { renderStorage, type Storage, usesClaims } from '../k8s/storage.js';
import { imageFlavor, reloadsNameServers } from '../rocketmq-pods/image.js';
import { aclGeneration, aclSecretOf, brokerAclProperties, usesPlainAcl } from '../rocketmq-pods/acl.js';
import { BROKER_LOGBACK, BROKER_LOGBACK_KEY } from '../rocketmq-pods/broker-logging.js';
import type { ControllerAddress } from '../rocketmq-pods/controllers.js';
import { findNameServers, nameServiceRules } from '../rocketmq-pods/nameservers.js';
import type { BrokerSpec, BrokerStatus } from '../schema/types.js';
import { type BrokerMember, brokerMembers, membersBeyondSpec } from './members.js';
import { COPIED_BY_ANNOTATION, COPY_MARK_ANNOTATION, planMetadataCopy } from './metadata-copy.js';
import { clusterNameOf } from '../rocketmq-pods/cluster.js';
import { brokerConfigKey, brokerConfigMapName, brokerPodSelector, NAMESRV_ADDR_KEY } from './names.js';
import { planNameServerUpdate, type UpdateMode } from './name-server-update.js';
import { brokerConf, masterRole, renderBrokerConfigMap } from './render/config.js';
import type { Election } from './render/election.js';
import { controllerRules, findControllers } from './controllers.js';
import { failoverMode } from './failover.js';
import { brokerPodRenderer, type PodTemplate, TEMPLATE_HASH_ANNOTATION } from './render/pod.js';
import { brokerMetricsPort, renderBrokerServiceMonitor, wantsServiceMonitor } from './render/metrics.js';
import { renderBrokerDisruptionBudget, renderBrokerService } from './render/services.js';
import { observedTemplate, renderBrokerStatefulSet } from './render/statefulsets.js';
import { heldBrokers, observedStatefulSet, planBrokerRollout, rollingPod } from './rollout.js';
import { planHandOver } from './hand-over.js';
import { renderRoleObserverAccess, renderRoleObserverDeployment } from './render/role-observer.js';
import { groupRoles } from './roles.js';
import { brokerStatus } from './status.js';
import { configMapRules, userCommonConf } from './userconfig.js';
import { checkBrokerChildren, checkModeUnchanged, readBroker, validateBrokerSpec } from './validate.js';

/** While a rollout moves, progress is checked again even if no watched object changes. */
const ROLLOUT_RESYNC_SECONDS = 15;

interface DesiredBroker {
  member: BrokerMember;
  conf: string;
  template: PodTemplate;
}

/**
 * How brokers take a new name-server list: sent at run time (RocketMQ 4.9.4 and later), or by a
 * restart for images whose brokers read it only when they start; never when spec.env sets
 * NAMESRV_ADDR, since the user's value is what they run with.
 */
function nameServerUpdateMode(spec: BrokerSpec): UpdateMode {
  if ((spec.env ?? []).some((e) => e?.name === 'NAMESRV_ADDR')) return 'pinned';
  return reloadsNameServers(spec.brokerImage) ? 'hot' : 'restart';
}

/** How the brokers take their roles: what each mode needs to write them into broker.conf. */
function electionOf(
  parent: Parent<BrokerSpec>,
  members: BrokerMember[],
  commonConf: string | undefined,
  controllers: ControllerAddress | undefined,
): Election {
  const { name, namespace, spec } = parent;
  switch (failoverMode(spec)) {
    case 'CONTROLLER':
      // Acknowledged only once every in-sync replica holds a message, unless ASYNC is asked for.
      return { mode: 'CONTROLLER', controllers: controllers!, syncReplicas: spec.replicationMode !== 'ASYNC' };
    case 'DLEDGER':
      return { mode: 'DLEDGER', name, namespace, highestId: Math.max(...members.map((m) => m.brokerId)) };
    case undefined: {
      // Never DLEDGER here (that is a failover mode); narrowed for the type.
      const replicationMode = spec.replicationMode === 'DLEDGER' ? undefined : spec.replicationMode;
      return { mode: undefined, masterRole: masterRole(replicationMode, spec.properties, commonConf) };
    }
  }
}

/** What every broker should run now: its broker.conf and pod template. */
function desiredBrokers(
  parent: Parent<BrokerSpec>,
  members: BrokerMember[],
  storage: Storage,
  restartOnNameServers: string | undefined,
  related: ObservedObjects,
  controllers: ControllerAddress | undefined,
): DesiredBroker[] {
  const { name, namespace, spec } = parent;
  const commonConf = userCommonConf(`Broker ${namespace}/${name}`, namespace, spec.volumes, related);
  const election = electionOf(parent, members, commonConf, controllers);
  const storeRoot = `${imageFlavor(spec.brokerImage, spec.imageFlavor).dataRoot}/store`;
  const aclProperties = aclSecretOf(spec.acl) === undefined ? undefined : brokerAclProperties(aclGeneration(spec.brokerImage));
  // What every broker's template shares is built once, then each broker's own parts.
  const podTemplate = brokerPodRenderer(parent, storage, restartOnNameServers);
  const metricsPort = brokerMetricsPort(spec);
  return members.map((member) => {
    const conf = brokerConf({
      clusterName: clusterNameOf(name, spec),
      member,
      election,
      commonConf,
      properties: spec.properties,
      storeRoot,
      aclProperties,
      metricsPort,
    });
    return { member, conf, template: podTemplate(member, conf) };
  });
}

/**
 * The name server list brokers are given now: the broker ConfigMap's, or for brokers an earlier
 * version of the operator started, any observed broker's environment.
 */
function nameServersInUse(name: string, members: BrokerMember[], children: ObservedObjects): string | undefined {
  const fromConfigMap = children.get('ConfigMap', 'v1', brokerConfigMapName(name))?.data?.[NAMESRV_ADDR_KEY];
  if (fromConfigMap) return fromConfigMap;
  for (const member of members) {
    const env = observedStatefulSet(children, member)?.spec?.template?.spec?.containers?.[0]?.env;
    const value = env?.find((e) => e.name === 'NAMESRV_ADDR')?.value;
    if (value) return value;
  }
  return undefined;
}

/**
 * The NameService's list once it has every name server in service; until then the list brokers run
 * with, so a growing NameService never has brokers sent (or restarted onto) name servers that are
 * not up yet.
 */
function brokerNameServers(
  parent: Parent<BrokerSpec>,
  members: BrokerMember[],
  children: ObservedObjects,
  related: ObservedObjects,
): string {
  const found = findNameServers({ kind: 'Broker', ...parent }, related);
  return found.settled ? found.addresses : (nameServersInUse(parent.name, members, children) ?? found.addresses);
}

function roleObserver(input: Parameters<typeof renderRoleObserverDeployment>[0]): KubeObject[] {
  return [...renderRoleObserverAccess(input), renderRoleObserverDeployment(input)];
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
      ...controllerRules(namespace, spec),
      ...configMapRules(namespace, spec.volumes),
      // Claim sizes feed the StorageResizePending condition.
      ...(usesClaims(spec) ? claimRules(namespace, brokerPodSelector(name)) : []),
    ];
  },

  sync(request, now, settings = DEFAULT_SETTINGS) {
    // Read and validate.
    const parent = readBroker(request);
    const { name, namespace, spec } = parent;
    const children = new ObservedObjects(request.children);
    const related = new ObservedObjects(request.related);
    checkModeUnchanged(parent, children);
    const members = brokerMembers(
      name,
      spec,
      children.list('StatefulSet', 'apps/v1').map((s) => s.metadata.name),
    );
    const storage = renderStorage(spec, 'broker-storage');
    checkBrokerChildren(parent, members, storage);
    const growth = claimGrowth({
      kind: 'Broker',
      parentName: name,
      namespace,
      templates: storage.volumeClaimTemplates,
      statefulSets: members.map((m) => ({ name: m.statefulSet, replicas: 1, observed: observedStatefulSet(children, m) })),
      claims: related.list('PersistentVolumeClaim', 'v1'),
    });
    const serviceMonitor = wantsServiceMonitor(spec, request);

    // Decide: what each broker should run, which one restarts now, what the metadata copy does,
    // and how running brokers get the name-server list.
    const nameServers = brokerNameServers(parent, members, children, related);
    const failover = failoverMode(spec);
    const controllers = failover === 'CONTROLLER' ? findControllers(parent, related) : undefined;
    const mode = nameServerUpdateMode(spec);
    const brokers = desiredBrokers(
      parent,
      members,
      storage,
      mode === 'restart' ? nameServers : undefined,
      related,
      controllers?.controllers,
    );
    const desiredHashes = new Map(brokers.map((b) => [b.member.statefulSet, b.template.metadata.annotations[TEMPLATE_HASH_ANNOTATION]]));
    const pods = related.list('Pod', 'v1');
    const podsByName = new Map(pods.map((p) => [p.metadata.name, p]));
    const roles = groupRoles(members, podsByName, failover);
    const clusterName = clusterNameOf(name, spec);
    const adminSecret = aclSecretOf(spec.acl);
    const rollout = planHandOver({
      name,
      namespace,
      clusterName,
      plan: planBrokerRollout(members, desiredHashes, children, spec.allowRestart, roles),
      controllerMode: failover === 'CONTROLLER',
      controllers: controllers?.controllers,
      members,
      podsByName,
      desiredHashes,
      desiredConf: (statefulSet) => brokers.find((b) => b.member.statefulSet === statefulSet)?.conf,
      observed: children,
      runnerImage: settings.runnerImage,
      adminSecret,
      now,
    });
    const plan = rollout.plan;
    const held = heldBrokers(plan);
    const podBeingReplaced = rollingPod(plan, members, children);
    const rollingOut = (plan.state !== 'UpToDate' && plan.state !== 'RestartHeld') || podBeingReplaced !== undefined;
    const copy = planMetadataCopy({
      name,
      namespace,
      spec,
      members,
      roles,
      observed: children,
      nameServers,
      runnerImage: settings.runnerImage,
      now,
    });
    const update = planNameServerUpdate({
      name,
      namespace,
      members,
      observed: children,
      pods: podsByName,
      nameServers,
      mode,
      rolling: rollingOut,
      runnerImage: settings.runnerImage,
      adminSecret,
      now,
    });

    // Render. A broker waiting for its restart keeps its broker.conf too, so a crash restart runs
    // what it ran before. The name-server list is not held back: a broker container that starts, for
    // whatever reason, starts with the current one.
    const observedConf = children.get('ConfigMap', 'v1', brokerConfigMapName(name))?.data ?? {};
    const confEntries: [string, string][] = [];
    const statefulSets: KubeObject[] = [];
    let keptAny = false;
    for (const { member, conf, template } of brokers) {
      const observed = observedStatefulSet(children, member);
      const key = brokerConfigKey(member);
      const keep = held.has(member.statefulSet) && observed !== undefined;
      keptAny ||= keep;
      confEntries.push([key, keep ? (observedConf[key] ?? conf) : conf]);
      const statefulSet = renderBrokerStatefulSet(parent, member, keep ? observedTemplate(observed) : template, storage, observed);
      const mark = copy.marks.get(member.statefulSet);
      const copiedBy = copy.copiedBy.get(member.statefulSet);
      if (mark) {
        statefulSet.metadata.annotations = merged(
          statefulSet.metadata.annotations,
          { [COPY_MARK_ANNOTATION]: mark },
          copiedBy ? { [COPIED_BY_ANNOTATION]: copiedBy } : undefined,
        );
      }
      statefulSets.push(statefulSet);
    }
    confEntries.push([NAMESRV_ADDR_KEY, nameServers]);
    // A broker that keeps its template after acl is turned off may still mount the logging configuration.
    if (usesPlainAcl(spec.acl, spec.brokerImage) || (keptAny && observedConf[BROKER_LOGBACK_KEY] !== undefined)) {
      confEntries.push([BROKER_LOGBACK_KEY, BROKER_LOGBACK]);
    }
    // Made in one step: an object given 20 or more keys one at a time becomes a hash table in V8,
    // which JSON.stringify serializes about half as fast.
    const confData = Object.fromEntries(confEntries);

    // Status, from what is observed.
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
        podsByName,
        roles,
        nameServers,
        plan,
        rollingPod: podBeingReplaced,
        copies: copy.copies,
        copyMarks: copy.marks,
        nameServerUpdate: update.update,
        storageResize: storageResizeCondition(growth, namespace),
        missingController: controllers?.missing,
      },
      now,
    );
    const resync = [
      rollingOut ? ROLLOUT_RESYNC_SECONDS : undefined,
      rollout.resyncAfterSeconds,
      copy.resyncAfterSeconds,
      update.resyncAfterSeconds,
    ].filter((s): s is number => s !== undefined);
    return {
      status,
      children: [
        renderBrokerService(name, namespace, brokerMetricsPort(spec), failoverMode(spec) === 'DLEDGER'),
        renderBrokerConfigMap(name, namespace, confData, update.annotations),
        ...statefulSets,
        renderBrokerDisruptionBudget(name, namespace),
        ...(serviceMonitor ? [renderBrokerServiceMonitor(name, namespace)] : []),
        ...copy.jobs,
        ...update.jobs,
        ...rollout.jobs,
        ...(failover ? roleObserver({ name, namespace, clusterName, members, runnerImage: settings.runnerImage, adminSecret }) : []),
      ],
      ...(resync.length > 0 ? { resyncAfterSeconds: Math.min(...resync) } : {}),
    };
  },
};
