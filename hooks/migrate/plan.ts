// The migration from apache/rocketmq-operator as data: what was found in a namespace (Inventory)
// becomes an ordered list of steps, each with what it does in words and the action that does it.
// Pure, so the same list is printed without --apply and performed with it; every action looks before
// it changes anything, so a second run finds its work done.
import { POD_SERVICES_ANNOTATION, type PodServicesMode } from '../rocketmq-pods/nameservers.js';

/** The label Metacontroller selects children by (CompositeControllers with generateSelector). */
export const ADOPTION_LABEL = 'controller-uid';

export interface Workload {
  name: string;
  labels: Record<string, string>;
}

export interface NameServiceFound {
  name: string;
  uid: string;
  size: number;
  annotations: Record<string, string>;
  /** The StatefulSet named after it, as the original operator created it. */
  statefulSet?: Workload & { serviceName?: string };
  /** Its name server pods, with the subdomain the StatefulSet gave them (none without serviceName). */
  pods: { name: string; subdomain?: string }[];
}

export interface ClientFound {
  name: string;
  uid: string;
  /** spec.nameServers and spec.nameServiceRef: which NameService it takes its addresses from, if any. */
  nameServers?: string;
  nameServiceRef?: string;
}

export interface BrokerFound extends ClientFound {
  allowRestart: boolean;
  /** Its StatefulSets: those whose selector is the original's broker pod selector. */
  statefulSets: Workload[];
}

export interface ConsoleFound extends ClientFound {
  deployment?: Workload;
}

export interface Inventory {
  namespace: string;
  /** Deployments of the original operator (selector name=rocketmq-operator) that still run. */
  oldOperators: { namespace: string; name: string; replicas: number }[];
  nameServices: NameServiceFound[];
  brokers: BrokerFound[];
  consoles: ConsoleFound[];
}

export type Action =
  | { type: 'scale-to-zero'; namespace: string; name: string }
  | { type: 'annotate'; nameService: string; mode: PodServicesMode | null }
  | { type: 'label'; kind: 'StatefulSet' | 'Deployment'; name: string; uid: string }
  | { type: 'wait-pod-services'; nameService: string }
  | { type: 'wait-pod-services-gone'; nameService: string }
  | { type: 'wait-name-service'; name: string }
  | { type: 'wait-broker'; name: string }
  | { type: 'wait-console'; name: string }
  | { type: 'orphan-statefulset'; name: string }
  | { type: 'wait-statefulset-replaced'; name: string }
  | { type: 'move-pod'; nameService: string; pod: string }
  | { type: 'pause'; seconds: number };

export interface Step {
  description: string;
  action: Action;
}

export interface PlanOptions {
  replaceNameServers: boolean;
  /** How long running brokers may take to use a name-server list they were sent. */
  brokerReloadSeconds: number;
}

/** A state the migration cannot go on from; the message names the object and the fix. */
export class MigrationError extends Error {}

const isAdopted = (workload: Workload | undefined, uid: string) => workload?.labels[ADOPTION_LABEL] === uid;

/** Its StatefulSet gives the pods no DNS names under the headless Service. */
const lacksServiceName = (ns: NameServiceFound) => ns.statefulSet !== undefined && ns.statefulSet.serviceName !== ns.name;

/** The clients that take their addresses from this NameService, as their hooks find it. */
function clientsOf<T extends ClientFound>(clients: T[], nameService: string, inventory: Inventory): T[] {
  return clients.filter(
    (c) => !c.nameServers?.trim() && (c.nameServiceRef ? c.nameServiceRef === nameService : inventory.nameServices.length === 1),
  );
}

function stopOldOperator(inventory: Inventory): Step[] {
  return inventory.oldOperators
    .filter((d) => d.replicas > 0)
    .map((d) => ({
      description: `Stop the original operator: scale Deployment ${d.namespace}/${d.name} to 0 replicas, so it changes nothing this operator adopts`,
      action: { type: 'scale-to-zero', namespace: d.namespace, name: d.name },
    }));
}

function adoptNameService(ns: NameServiceFound): Step[] {
  const sts = ns.statefulSet;
  if (!sts) return [];
  const steps: Step[] = [];
  if (lacksServiceName(ns) && ns.annotations[POD_SERVICES_ANNOTATION] !== 'in-use') {
    steps.push({
      description:
        `Annotate NameService ${ns.name} ${POD_SERVICES_ANNOTATION}=in-use: its StatefulSet has no serviceName (which cannot be changed), ` +
        `so its pods have no DNS names under the headless Service; one Service per pod (${ns.name}-0..${ns.size - 1}) is created and brokers and consoles are given those addresses`,
      action: { type: 'annotate', nameService: ns.name, mode: 'in-use' },
    });
  }
  if (lacksServiceName(ns)) {
    steps.push({
      description: `Wait until the Services ${ns.name}-0..${ns.size - 1} each reach a Ready name server`,
      action: { type: 'wait-pod-services', nameService: ns.name },
    });
  }
  if (!isAdopted(sts, ns.uid)) {
    steps.push({
      description: `Label StatefulSet ${sts.name} ${ADOPTION_LABEL}=${ns.uid}, so Metacontroller adopts it for NameService ${ns.name}`,
      action: { type: 'label', kind: 'StatefulSet', name: sts.name, uid: ns.uid },
    });
  }
  steps.push({
    description:
      `Wait until NameService ${ns.name}'s ${ns.size} name server pods run this operator's template and are Ready ` +
      `(the StatefulSet replaces them one at a time; their volumes stay)`,
    action: { type: 'wait-name-service', name: ns.name },
  });
  return steps;
}

function adoptBroker(broker: BrokerFound, namespace: string): Step[] {
  if (broker.statefulSets.length === 0) return [];
  if (!broker.allowRestart && broker.statefulSets.some((s) => !isAdopted(s, broker.uid))) {
    throw new MigrationError(
      `Broker ${broker.name} has spec.allowRestart false, but its pods must restart once to run this operator's template and name-server addresses: ` +
        `run kubectl -n ${namespace} patch broker ${broker.name} --type=merge -p '{"spec":{"allowRestart":true}}', then migrate again`,
    );
  }
  const labels: Step[] = broker.statefulSets
    .filter((s) => !isAdopted(s, broker.uid))
    .map((s) => ({
      description: `Label StatefulSet ${s.name} ${ADOPTION_LABEL}=${broker.uid}, so Metacontroller adopts it for Broker ${broker.name}`,
      action: { type: 'label', kind: 'StatefulSet', name: s.name, uid: broker.uid },
    }));
  return [
    ...labels,
    waitBroker(
      broker,
      "run this operator's template with name-server addresses that resolve (restarted one at a time, replicas before their masters; volumes stay)",
    ),
  ];
}

function waitBroker(broker: BrokerFound, what: string): Step {
  return {
    description: `Wait until Broker ${broker.name}'s pods ${what} and are Ready`,
    action: { type: 'wait-broker', name: broker.name },
  };
}

function waitConsole(dashboard: ConsoleFound, what: string): Step {
  return {
    description: `Wait until Console ${dashboard.name}'s Deployment has rolled out ${what}`,
    action: { type: 'wait-console', name: dashboard.name },
  };
}

function adoptConsole(dashboard: ConsoleFound): Step[] {
  const deployment = dashboard.deployment;
  if (!deployment) return [];
  const label: Step[] = isAdopted(deployment, dashboard.uid)
    ? []
    : [
        {
          description: `Label Deployment ${deployment.name} ${ADOPTION_LABEL}=${dashboard.uid}, so Metacontroller adopts it for Console ${dashboard.name}`,
          action: { type: 'label', kind: 'Deployment', name: deployment.name, uid: dashboard.uid },
        },
      ];
  return [...label, waitConsole(dashboard, "with this operator's template and name-server addresses")];
}

/**
 * Replaces a StatefulSet without serviceName by one with it, keeping every pod name and volume:
 * the old one is deleted leaving its pods, the NameService's hook creates the new one, and the pods
 * are moved one at a time. Then the clients go back to the headless Service's addresses and the
 * per-pod Services are removed.
 */
function replaceNameServers(ns: NameServiceFound, inventory: Inventory, brokerReloadSeconds: number): Step[] {
  if (!ns.statefulSet) return [];
  const mode = ns.annotations[POD_SERVICES_ANNOTATION];
  const unmoved = Array.from({ length: ns.size }, (_, i) => `${ns.name}-${i}`)
    .reverse()
    .filter((pod) => lacksServiceName(ns) || ns.pods.find((p) => p.name === pod)?.subdomain !== ns.name);
  if (unmoved.length === 0 && mode === undefined) return [];
  const steps: Step[] = [];
  if (lacksServiceName(ns)) {
    steps.push(
      {
        description: `Delete StatefulSet ${ns.name} leaving its pods and volumes (propagationPolicy Orphan): it has no serviceName, which cannot be changed`,
        action: { type: 'orphan-statefulset', name: ns.name },
      },
      {
        description: `Wait until NameService ${ns.name}'s hook has created StatefulSet ${ns.name} again with serviceName ${ns.name}, owning the same pods`,
        action: { type: 'wait-statefulset-replaced', name: ns.name },
      },
    );
  }
  for (const pod of unmoved) {
    steps.push({
      description: `Move ${pod} to the new StatefulSet: once every other name server is Ready, delete it; it comes back with the same name and volume and a DNS name under Service ${ns.name}`,
      action: { type: 'move-pod', nameService: ns.name, pod },
    });
  }
  const brokers = clientsOf(inventory.brokers, ns.name, inventory).filter((b) => b.statefulSets.length > 0);
  const consoles = clientsOf(inventory.consoles, ns.name, inventory).filter((c) => c.deployment);
  steps.push(
    {
      description: `Annotate NameService ${ns.name} ${POD_SERVICES_ANNOTATION}=retiring: brokers and consoles are given the headless Service's addresses again, while the per-pod Services stay for those still using them`,
      action: { type: 'annotate', nameService: ns.name, mode: 'retiring' },
    },
    ...brokers.map((b) =>
      waitBroker(
        b,
        `hold ${ns.name}'s headless Service addresses (sent to running brokers; images before RocketMQ 4.9.4 restart one pod at a time)`,
      ),
    ),
    // A running broker takes up a list it is sent on its next reload, not at once: the per-pod
    // Services stay until every broker registers through the new addresses.
    ...(brokers.length > 0 && brokerReloadSeconds > 0
      ? [
          {
            description: `Wait ${brokerReloadSeconds} s: running brokers use a name-server list they were sent from their next reload (every 2 minutes) and register with it within 30 s`,
            action: { type: 'pause', seconds: brokerReloadSeconds } as const,
          },
        ]
      : []),
    ...consoles.map((c) => waitConsole(c, `with ${ns.name}'s headless Service addresses`)),
    {
      description: `Remove the annotation ${POD_SERVICES_ANNOTATION} from NameService ${ns.name}: its per-pod Services are deleted`,
      action: { type: 'annotate', nameService: ns.name, mode: null },
    },
    {
      description: `Wait until the Services ${ns.name}-0..${ns.size - 1} are gone`,
      action: { type: 'wait-pod-services-gone', nameService: ns.name },
    },
  );
  return steps;
}

/**
 * The order keeps the cluster serving: the old operator stops first; name servers are adopted (and
 * reachable by names that resolve) before any broker is restarted onto those names; the console,
 * which only reads, comes last. Replacing the name servers' StatefulSet is asked for separately.
 */
export function planMigration(inventory: Inventory, options: PlanOptions): Step[] {
  return [
    ...stopOldOperator(inventory),
    ...inventory.nameServices.flatMap(adoptNameService),
    ...inventory.brokers.flatMap((b) => adoptBroker(b, inventory.namespace)),
    ...inventory.consoles.flatMap(adoptConsole),
    ...(options.replaceNameServers
      ? inventory.nameServices.flatMap((ns) => replaceNameServers(ns, inventory, options.brokerReloadSeconds))
      : []),
  ];
}
