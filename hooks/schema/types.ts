// Generated from crds/*.yaml by `npm run gen:types`; do not edit.

import type {
  V1Affinity,
  V1Deployment,
  V1EnvVar,
  V1LocalObjectReference,
  V1PersistentVolumeClaim,
  V1PodSecurityContext,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Toleration,
  V1TopologySpreadConstraint,
  V1Volume,
} from '@kubernetes/client-node';

/**
 * Desired state of the name server cluster.
 */
export interface NameServiceSpec {
  /**
   * Number of name server pods (StatefulSet replicas). Pods are named <name>-0 .. <name>-<size-1>.
   */
  size: number;
  /**
   * Container image of the name server, for example apache/rocketmq:5.3.1 or apacherocketmq/rocketmq-nameserver:4.5.0-alpine-operator-0.3.0.
   */
  nameServiceImage: string;
  /**
   * How the image is laid out, for an image whose name does not tell. Official is apache/rocketmq and images built like it (user 3000, data under /home/rocketmq, started by the operator's command); OriginalOperator is an image built with the original operator's scripts (root, data under /root, the image starts RocketMQ itself). Unset, an image whose last path component is rocketmq-broker, rocketmq-namesrv, rocketmq-nameserver or rocketmq-controller, under any registry, is OriginalOperator, and any other image Official.
   */
  imageFlavor?: 'Official' | 'OriginalOperator';
  /**
   * When the kubelet pulls the image (Always, IfNotPresent or Never).
   */
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Secrets holding registry credentials for the image.
   *
   * @maxItems 16
   */
  imagePullSecrets?: V1LocalObjectReference[];
  /**
   * RocketMQ 5's controller run inside every name server (enableControllerInNamesrv), for Brokers in clusterMode CONTROLLER that have no Controller of their own. The name servers form one DLedger Raft group: pod <name>-<i> is peer n<i> at <name>-<i>.<name>.<namespace>.svc:9878, started from its file in the ConfigMap <name>-conf, and keeps the group's log in the data volume's store directory. Size 3 (or 5) lets the controllers elect a leader while one (or two) is down. Needs a RocketMQ 5 image. Turning it on or off, or resizing, restarts the name servers.
   */
  controller?: {
    /**
     * Run the controller in the name servers.
     */
    enabled?: boolean;
  };
  /**
   * Run the pods in the node's network namespace, so name servers are reachable at node IPs from outside the cluster.
   */
  hostNetwork: boolean;
  /**
   * Pod DNS policy. When unset it is ClusterFirst, or ClusterFirstWithHostNet when hostNetwork is true.
   */
  dnsPolicy?: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
  /**
   * CPU and memory requests and limits of the name server container (a Kubernetes ResourceRequirements).
   */
  resources?: V1ResourceRequirements;
  /**
   * Extra environment variables of the name server container, for example JAVA_OPT_EXT.
   *
   * @maxItems 128
   */
  env?: V1EnvVar[];
  /**
   * Where logs are kept: EmptyDir (lost with the pod), HostPath (spec.hostPath on the node) or StorageClass (a PersistentVolumeClaim per pod from volumeClaimTemplates[0]; NFS is the old name of StorageClass).
   */
  storageMode: 'EmptyDir' | 'HostPath' | 'StorageClass' | 'NFS';
  /**
   * Directory on the node used when storageMode is HostPath.
   */
  hostPath?: string;
  /**
   * Element 0 names the log volume in every storage mode (default namesrv-storage) and is the PersistentVolumeClaim template in StorageClass mode; claims are named <template>-<name>-<i>. A larger storage request than the existing claims' is reported in the StorageResizePending condition, with the claims to grow; a smaller one is refused.
   *
   * @maxItems 8
   */
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  /**
   * Pod security context. When unset, the pod gets fsGroup 3000 and the RuntimeDefault seccomp profile, and runs as the non-root user 3000 unless the image is one of the original operator's root images.
   */
  securityContext?: V1PodSecurityContext;
  /**
   * Container security context. When unset, privilege escalation is off and all capabilities are dropped.
   */
  containerSecurityContext?: V1SecurityContext;
  /**
   * Annotations added to every name server pod.
   */
  podAnnotations?: {
    [k: string]: string;
  };
  /**
   * Pod affinity and anti-affinity rules (a Kubernetes Affinity).
   */
  affinity?: V1Affinity;
  /**
   * Tolerations of the pods.
   *
   * @maxItems 64
   */
  tolerations?: V1Toleration[];
  /**
   * How the name server pods spread across nodes or zones (Kubernetes TopologySpreadConstraints, at most 16), rendered into the pod template as given. Unset, none.
   *
   * @maxItems 16
   */
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
  /**
   * Node labels the pods must be scheduled on.
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * PriorityClass of the pods.
   */
  priorityClassName?: string;
  /**
   * ServiceAccount the pods run as.
   */
  serviceAccountName?: string;
}

/**
 * Observed state, written by the operator.
 */
export interface NameServiceStatus {
  /**
   * Sorted IPs of the running name server pods (as the original operator reports them).
   */
  nameServers?: string[];
  /**
   * Stable DNS addresses (host:9876) of every name server pod; brokers and consoles use these.
   */
  addresses?: string[];
  /**
   * Pods the StatefulSet has.
   */
  replicas?: number;
  /**
   * Pods that pass the readiness probe.
   */
  readyReplicas?: number;
  /**
   * Generation of the spec this status describes.
   */
  observedGeneration?: number;
  /**
   * Ready and Progressing conditions, and StorageResizePending while claims ask for less storage than volumeClaimTemplates.
   */
  conditions?: {
    /**
     * Condition type (Ready, Progressing, StorageResizePending).
     */
    type: string;
    /**
     * Whether the condition holds.
     */
    status: 'True' | 'False' | 'Unknown';
    /**
     * One CamelCase word saying why.
     */
    reason?: string;
    /**
     * What is happening, for people.
     */
    message?: string;
    /**
     * When status last changed.
     */
    lastTransitionTime?: string;
  }[];
}

/**
 * Desired state of the broker cluster.
 */
export interface BrokerSpec {
  /**
   * Number of broker groups (a group is one master and replicaPerGroup replicas), at most 100. Growing it adds groups and copies topics and subscription groups to them; shrinking it is refused.
   */
  size: number;
  /**
   * Replicas (slaves) per group, at most 4. StatefulSets are <name>-<group>-master and <name>-<group>-replica-<r>, r from 1; with clusterMode CONTROLLER or replicationMode DLEDGER, <name>-<group>-<r>, r from 0 to replicaPerGroup.
   */
  replicaPerGroup: number;
  /**
   * How a group's master is chosen. STATIC: fixed roles, StatefulSets <name>-<group>-master and <name>-<group>-replica-<r>. CONTROLLER: RocketMQ 5's controllers elect the master and fail over to a replica (enableControllerMode); StatefulSets <name>-<group>-<r>, r from 0, as the original operator names them. The controllers are spec.controllerAddr, else the Controller named by spec.controllerRef, else the only Controller in the namespace, else the controllers embedded in the brokers' NameService (its spec.controller.enabled). Cannot change on an existing Broker.
   */
  clusterMode: 'STATIC' | 'CONTROLLER';
  /**
   * Name of a Controller in this namespace whose controllers the brokers use (clusterMode CONTROLLER only). Brokers are given its headless Service <controllerRef>-svc-headless.<namespace>.svc:9878 with fetchControllerAddrByDnsLookup=true: they resolve it to every controller pod and heartbeat each (again every 2 minutes), so resizing the Controller restarts no broker. While it does not exist they are rendered with that address and the Ready condition says it is missing.
   */
  controllerRef?: string;
  /**
   * Controller list "host:port;host:port" the brokers use (clusterMode CONTROLLER only), for controllers this operator does not run. When empty, they are found as clusterMode describes.
   */
  controllerAddr?: string;
  /**
   * Name server list "host:port;host:port". When empty, the name servers of the NameService named by nameServiceRef are used, or of the only NameService in the namespace, by their stable DNS names.
   */
  nameServers?: string;
  /**
   * Name of a NameService in this namespace whose name servers the brokers use.
   */
  nameServiceRef?: string;
  /**
   * Container image of the broker, for example apache/rocketmq:5.3.1 or apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0.
   */
  brokerImage: string;
  /**
   * How the image is laid out, for an image whose name does not tell. Official is apache/rocketmq and images built like it (user 3000, data under /home/rocketmq, started by the operator's command); OriginalOperator is an image built with the original operator's scripts (root, data under /root, the image starts RocketMQ itself). Unset, an image whose last path component is rocketmq-broker, rocketmq-namesrv, rocketmq-nameserver or rocketmq-controller, under any registry, is OriginalOperator, and any other image Official.
   */
  imageFlavor?: 'Official' | 'OriginalOperator';
  /**
   * When the kubelet pulls the image (Always, IfNotPresent or Never).
   */
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Secrets holding registry credentials for the image.
   *
   * @maxItems 16
   */
  imagePullSecrets?: V1LocalObjectReference[];
  /**
   * Run the pods in the node's network namespace (DNS policy ClusterFirstWithHostNet), so clients outside the cluster reach brokers at node IPs.
   */
  hostNetwork: boolean;
  /**
   * Allow the operator to restart broker pods, one at a time, to apply changes (image, configuration, environment, resources, name servers). When false, such changes wait and the Progressing condition says so.
   */
  allowRestart: boolean;
  /**
   * ASYNC or SYNC: the master's role, ASYNC_MASTER or SYNC_MASTER (STATIC mode; unset, brokerRole from broker-common.conf or properties applies, default ASYNC_MASTER). In clusterMode CONTROLLER, unset or SYNC: a master acknowledges a message once every replica in its sync state set holds it (allAckInSyncStateSet), so a failover loses no acknowledged message; ASYNC: it acknowledges at once, and the messages acknowledged last before a master fails may be lost. DLEDGER: every broker of a group is a peer of the group's Raft commit log (enableDLegerCommitLog), which elects the master and fails over; needs replicaPerGroup 2 or more, StatefulSets <name>-<group>-<r>, peers on port 40911. Cannot change to or from DLEDGER on an existing Broker.
   */
  replicationMode?: 'ASYNC' | 'SYNC' | 'DLEDGER';
  /**
   * Broker properties written into every broker's broker.conf after broker-common.conf (for example flushDiskType, deleteWhen). brokerClusterName names the RocketMQ cluster (default the Broker's name); brokerName, brokerId and storePathRootDir are the operator's.
   */
  properties?: {
    [k: string]: string;
  };
  /**
   * The brokers' Prometheus exporter (RocketMQ 5 images only; 4.x brokers have none): broker.conf gets metricsExporterType=PROM on this port, the pods a container port named metrics and the <name>-brokers Service a port of the same name.
   */
  metrics: {
    /**
     * Serve broker metrics in Prometheus text format at http://<pod>:<port>/metrics.
     */
    enabled: boolean;
    /**
     * Port of the exporter (metricsPromExporterPort), 1024 to 65535.
     */
    port: number;
    /**
     * Render a ServiceMonitor (monitoring.coreos.com/v1) named <name>-brokers that scrapes every broker. Needs the Prometheus Operator's CRDs and the rocketmq-broker CompositeController with ServiceMonitors as a child type (Helm value compositeControllers.brokerServiceMonitors, or overlays/servicemonitors).
     */
    serviceMonitor: boolean;
  };
  /**
   * CPU and memory requests and limits of the broker container. Unless BROKER_MEM or JAVA_OPT_EXT is set in env, the JVM is sized from the memory limit: heap half of it (at most 8Gi), young generation half the heap and, for official images, direct memory a quarter of the limit (at most 8Gi).
   */
  resources?: V1ResourceRequirements;
  /**
   * Extra environment variables, after the operator's own (so a duplicate name set here wins). BROKER_MEM sets the JVM memory flags.
   *
   * @maxItems 128
   */
  env?: V1EnvVar[];
  /**
   * Extra pod volumes. The first one holding a broker-common.conf key (normally a ConfigMap volume) is the user's broker configuration; its content is merged into each broker's generated broker.conf.
   *
   * @maxItems 64
   */
  volumes?: V1Volume[];
  /**
   * Where logs and the message store are kept: EmptyDir (lost with the pod), HostPath (spec.hostPath on the node) or StorageClass (a PersistentVolumeClaim per pod; NFS is the old name of StorageClass).
   */
  storageMode: 'EmptyDir' | 'HostPath' | 'StorageClass' | 'NFS';
  /**
   * Directory on the node used when storageMode is HostPath; each broker uses store/<dir> and logs/<dir> below it, <dir> being <name>-<group>-master or <name>-<group>-replica-<r> in every mode (as the original operator names them).
   */
  hostPath?: string;
  /**
   * Element 0 names the data volume in every storage mode (default broker-storage) and is the PersistentVolumeClaim template in StorageClass mode; claims are named <template>-<name>-<group>-master-0 and so on. A larger storage request than the existing claims' is reported in the StorageResizePending condition, with the claims to grow; a smaller one is refused.
   *
   * @maxItems 8
   */
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  /**
   * Broker pod whose topics and subscription groups are copied to new groups when size grows (default <name>-0-master-0); with clusterMode CONTROLLER or replicationMode DLEDGER, <name>-<group>-master-0 names the group, whose current master is read.
   */
  scalePodName?: string;
  /**
   * Pod security context. When unset, the pod gets fsGroup 3000 and the RuntimeDefault seccomp profile, and runs as the non-root user 3000 unless the image is one of the original operator's root images.
   */
  securityContext?: V1PodSecurityContext;
  /**
   * Container security context. When unset, privilege escalation is off and all capabilities are dropped.
   */
  containerSecurityContext?: V1SecurityContext;
  /**
   * Annotations added to every broker pod.
   */
  podAnnotations?: {
    [k: string]: string;
  };
  /**
   * Pod affinity rules (a Kubernetes Affinity). When unset, a group's master and replicas prefer different nodes; when set, it replaces that default. It does not replace the default spread of masters, see topologySpreadConstraints.
   */
  affinity?: V1Affinity;
  /**
   * Tolerations of the pods.
   *
   * @maxItems 64
   */
  tolerations?: V1Toleration[];
  /**
   * How the broker pods spread across nodes or zones (Kubernetes TopologySpreadConstraints, at most 16). Unset, the masters of different groups prefer different nodes: maxSkew 1 on kubernetes.io/hostname, ScheduleAnyway, counting this Broker's masters (labels app: broker, broker_cr: <name>, rocketmq.apache.org/broker-role: master). A list given here is rendered on every broker pod as it is and replaces that default; an empty list turns it off. It is independent of affinity, whose default keeps a group's master and replicas apart.
   *
   * @maxItems 16
   */
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
  /**
   * Node labels the pods must be scheduled on.
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * PriorityClass of the pods.
   */
  priorityClassName?: string;
  /**
   * ServiceAccount the pods run as.
   */
  serviceAccountName?: string;
  /**
   * Authentication and authorization of every request to the brokers. One admin account, read from a Secret, is the only one the brokers know at first; the operator's Jobs, and the Proxies and Consoles of this cluster, use it too. RocketMQ 5 images use RocketMQ's authentication and authorization (the account becomes a super user); RocketMQ 4 images (tag 4.x) use ACL 1.0 (plain_acl.yml).
   */
  acl?: {
    /**
     * Refuse requests that are not signed with a known account. Turning it on or off restarts the brokers.
     */
    enabled?: boolean;
    /**
     * Name of a Secret in this namespace with keys accessKey and secretKey (printable ASCII, at least 7 characters each): the admin account. The values reach the pods only through the Secret; a pod starts once the Secret and both keys exist.
     */
    adminSecret?: string;
  };
}

/**
 * Observed state, written by the operator.
 */
export interface BrokerStatus {
  /**
   * Number of groups in service: groups whose StatefulSets all exist and that hold the cluster's metadata (a group added by growing spec.size counts once its topics and subscription groups are copied, see groups[].metadataCopy). Worked out from the cluster's objects on every sync.
   */
  size?: number;
  /**
   * Names of the broker pods that exist.
   */
  nodes?: string[];
  /**
   * Name-server list the brokers are given: the one a broker container starts with (from the ConfigMap <name>-broker-conf), and the one running brokers are sent without a restart (see nameServerUpdate). A NameService's new list is taken only once it reports every name server Ready.
   */
  nameServers?: string;
  /**
   * Whether running brokers hold nameServers. A new list is sent to every running broker by a runner Job (updateBrokerConfig namesrvAddr, read back); brokers then register with the new name servers within updateNameServerAddrPeriod (2 minutes by default) and the registration period. Absent when nothing was sent since the brokers started, and for images before RocketMQ 4.9.4, whose brokers restart one at a time instead.
   */
  nameServerUpdate?: {
    /**
     * Pending (waiting to start), Running (a Job is sending it), Applied, or Failed (retried after a backoff).
     */
    phase?: 'Pending' | 'Running' | 'Applied' | 'Failed';
    /**
     * The list being sent, or sent.
     */
    nameServers?: string;
    /**
     * The runner Job that sends it, or sent it.
     */
    job?: string;
    /**
     * Jobs started for this list so far.
     */
    attempts?: number;
    /**
     * What is happening, for people.
     */
    message?: string;
  };
  /**
   * RocketMQ cluster name the brokers register with (spec.properties.brokerClusterName, else the Broker's name).
   */
  clusterName?: string;
  /**
   * The broker pod being restarted to apply a change, if any; broker pods restart one at a time, replicas before their master.
   */
  rollingPod?: string;
  /**
   * Groups with a known master out of all groups, as "2/3". With clusterMode CONTROLLER or replicationMode DLEDGER a group's master is the pod RocketMQ's name servers report as its master (see groups[].master); otherwise it is the group's <name>-<group>-master pod.
   */
  masters?: string;
  /**
   * Per-group topology.
   */
  groups?: {
    /**
     * Group index.
     */
    group?: number;
    /**
     * RocketMQ broker name of the group (<name>-<group>).
     */
    brokerName?: string;
    /**
     * Whether every pod of the group is Ready.
     */
    ready?: boolean;
    /**
     * The group's master pod. With clusterMode CONTROLLER or replicationMode DLEDGER, the pod the name servers report as master (the rocketmq.apache.org/role annotation the <name>-roles observer writes), absent while none is; otherwise the <name>-<group>-master pod.
     */
    master?: string;
    /**
     * Copy of topics and subscription groups to this new group.
     */
    metadataCopy?: {
      /**
       * Where the copy is.
       */
      phase?: 'Pending' | 'Running' | 'Done' | 'Failed';
      /**
       * What the copy Job reported.
       */
      message?: string;
      /**
       * Copy Jobs started so far.
       */
      attempts?: number;
    };
    pods?: {
      /**
       * Pod name.
       */
      name?: string;
      /**
       * MASTER or SLAVE. With clusterMode CONTROLLER or replicationMode DLEDGER, as the name servers report it, absent while the pod is not registered.
       */
      role?: string;
      /**
       * RocketMQ broker id (0 for the master).
       */
      brokerId?: number;
      /**
       * Whether the pod is Ready.
       */
      ready?: boolean;
      /**
       * Whether the pod runs the current configuration.
       */
      upToDate?: boolean;
    }[];
  }[];
  /**
   * Generation of the spec this status describes.
   */
  observedGeneration?: number;
  /**
   * Ready, Progressing and Degraded conditions, and StorageResizePending while claims ask for less storage than volumeClaimTemplates.
   */
  conditions?: {
    /**
     * Condition type (Ready, Progressing, Degraded, StorageResizePending).
     */
    type: string;
    /**
     * Whether the condition holds.
     */
    status: 'True' | 'False' | 'Unknown';
    /**
     * One CamelCase word saying why.
     */
    reason?: string;
    /**
     * What is happening, for people.
     */
    message?: string;
    /**
     * When status last changed.
     */
    lastTransitionTime?: string;
  }[];
}

/**
 * Desired state of the dashboard.
 */
export interface ConsoleSpec {
  /**
   * The dashboard Deployment (apps/v1). Every field is kept; the operator names it after this Console, adds -Drocketmq.namesrv.addr to JAVA_OPTS of its first container (after any value given there), and selects the pods by rocketmq.apache.org/console=<name> when no selector is given.
   */
  consoleDeployment: V1Deployment;
  /**
   * Name server list "host:port;host:port". When empty, the name servers of the NameService named by nameServiceRef are used, or of the only NameService in the namespace.
   */
  nameServers?: string;
  /**
   * Name of a NameService in this namespace whose name servers the dashboard uses.
   */
  nameServiceRef?: string;
  /**
   * Port of the Service <name>-dashboard in front of the dashboard; it forwards to the first container's first port (8080 when none is declared).
   */
  servicePort: number;
  /**
   * Type of the Service in front of the dashboard.
   */
  serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
}

/**
 * Observed state, written by the operator.
 */
export interface ConsoleStatus {
  /**
   * Pods the Deployment has.
   */
  replicas?: number;
  /**
   * Pods that are Ready.
   */
  readyReplicas?: number;
  /**
   * Name server list the dashboard uses.
   */
  nameServers?: string;
  /**
   * Generation of the spec this status describes.
   */
  observedGeneration?: number;
  /**
   * Ready and Progressing conditions.
   */
  conditions?: {
    /**
     * Condition type (Ready, Progressing, Degraded).
     */
    type: string;
    /**
     * Whether the condition holds.
     */
    status: 'True' | 'False' | 'Unknown';
    /**
     * One CamelCase word saying why.
     */
    reason?: string;
    /**
     * What is happening, for people.
     */
    message?: string;
    /**
     * When status last changed.
     */
    lastTransitionTime?: string;
  }[];
}

/**
 * What to move, from where, to where.
 */
export interface TopicTransferSpec {
  /**
   * The topic to move.
   */
  topic: string;
  /**
   * Where the topic is now, a broker cluster name (a Broker's name) or a broker name (<broker>-<group>, for example broker-0).
   */
  sourceCluster: string;
  /**
   * Where the topic goes, a broker cluster name or a broker name.
   */
  targetCluster: string;
  /**
   * Name server list "host:port;host:port". When empty, the name servers of the NameService named by nameServiceRef are used, or of the only NameService in the namespace.
   */
  nameServers?: string;
  /**
   * Name of a NameService in this namespace to reach the cluster through.
   */
  nameServiceRef?: string;
  /**
   * How long to wait for consumers to drain the topic on the source before giving up and rolling back.
   */
  consumeTimeoutSeconds: number;
  /**
   * Image of the transfer Job. Defaults to the image the operator runs its Jobs with (the RUNNER_IMAGE setting of the hook service), which the install sets to the operator's own image; any other image must contain the operator's runner.
   */
  image?: string;
}

/**
 * Progress of the transfer, written by the operator from what the transfer Job records.
 */
export interface TopicTransferStatus {
  /**
   * Where the transfer is.
   */
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'RollingBack' | 'RolledBack' | 'Failed';
  /**
   * Current step, 1 to 7.
   */
  step?: number;
  /**
   * Latest news from the transfer, for people.
   */
  message?: string;
  /**
   * Result of each step started so far.
   */
  steps?: {
    /**
     * Step number, 1 to 7.
     */
    step?: number;
    /**
     * What the step does.
     */
    name?: string;
    /**
     * Running, Succeeded, Failed or RolledBack.
     */
    phase?: string;
    /**
     * When the step started.
     */
    startTime?: string;
    /**
     * When the step ended.
     */
    endTime?: string;
    /**
     * What happened.
     */
    message?: string;
  }[];
  /**
   * The original state rollback restores (topic config per source broker, group configs, what already existed on the target).
   */
  saved?: {};
  /**
   * Outcome of a rollback, if one ran.
   */
  rollback?: {};
  /**
   * Generation of the spec this status describes.
   */
  observedGeneration?: number;
  /**
   * Ready (transfer done), Progressing and Degraded conditions.
   */
  conditions?: {
    /**
     * Condition type.
     */
    type: string;
    /**
     * Whether the condition holds.
     */
    status: 'True' | 'False' | 'Unknown';
    /**
     * One CamelCase word saying why.
     */
    reason?: string;
    /**
     * What is happening, for people.
     */
    message?: string;
    /**
     * When status last changed.
     */
    lastTransitionTime?: string;
  }[];
}

/**
 * Desired state of the proxies.
 */
export interface ProxySpec {
  /**
   * Number of proxy pods (Deployment replicas), at most 64. Proxies share nothing: a rolling update replaces one at a time, so at least size - 1 keep serving (a single proxy is replaced only once its successor is Ready).
   */
  size: number;
  /**
   * Container image holding RocketMQ 5 (bin/mqproxy), for example apache/rocketmq:5.3.3. The original operator's RocketMQ 4 images have no proxy and are refused.
   */
  proxyImage: string;
  /**
   * When the kubelet pulls the image (Always, IfNotPresent or Never).
   */
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Secrets holding registry credentials for the image.
   *
   * @maxItems 16
   */
  imagePullSecrets?: V1LocalObjectReference[];
  /**
   * Name server list "host:port;host:port". When empty, the name servers of the NameService named by nameServiceRef are used, or of the only NameService in the namespace, by their stable DNS names.
   */
  nameServers?: string;
  /**
   * Name of a NameService in this namespace whose name servers the proxies use.
   */
  nameServiceRef?: string;
  /**
   * Name of the Broker in this namespace whose cluster the proxies serve (its rocketMQClusterName is that Broker's cluster name). When unset, the only Broker in the namespace.
   */
  brokerClusterRef?: string;
  /**
   * Type of the Service <name> in front of the proxies, with the ports grpc (8081) and remoting (8080). NodePort or LoadBalancer lets clients outside the cluster connect.
   */
  serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /**
   * Annotations of the Service, for example a cloud provider's load balancer settings.
   */
  serviceAnnotations?: {
    [k: string]: string;
  };
  /**
   * Proxy settings added to the generated rmq-proxy.json, for example grpcThreadPoolNums, or remotingAccessAddr (the address remoting clients outside the cluster are sent back to in topic routes). A value that reads as an integer or true/false is written as a JSON number or boolean. rocketMQClusterName, namesrvAddr, proxyMode, remotingListenPort and grpcServerPort are set by the operator and refused here. A change rolls the proxies.
   */
  config?: {
    [k: string]: string;
  };
  /**
   * CPU and memory requests and limits of the proxy container. With a memory limit, the JVM heap is half of it (at most 8 GiB) and direct memory a quarter, through JAVA_OPT_EXT, unless env sets JAVA_OPT_EXT itself.
   */
  resources?: V1ResourceRequirements;
  /**
   * Extra environment variables of the proxy container; an entry named like one of the operator's replaces it.
   *
   * @maxItems 128
   */
  env?: V1EnvVar[];
  /**
   * Pod security context. When unset, the pod runs as the non-root user 3000 with fsGroup 3000 and the RuntimeDefault seccomp profile.
   */
  securityContext?: V1PodSecurityContext;
  /**
   * Container security context. When unset, privilege escalation is off and all capabilities are dropped.
   */
  containerSecurityContext?: V1SecurityContext;
  /**
   * Annotations added to every proxy pod.
   */
  podAnnotations?: {
    [k: string]: string;
  };
  /**
   * Pod affinity rules (a Kubernetes Affinity). When unset, the proxies prefer different nodes; when set, it replaces that default.
   */
  affinity?: V1Affinity;
  /**
   * Tolerations of the pods.
   *
   * @maxItems 64
   */
  tolerations?: V1Toleration[];
  /**
   * How the proxy pods spread across nodes or zones (Kubernetes TopologySpreadConstraints, at most 16), rendered into the pod template as given. Unset, none; the default anti-affinity (see affinity) already prefers different nodes.
   *
   * @maxItems 16
   */
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
  /**
   * Node labels the pods must be scheduled on.
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * PriorityClass of the pods.
   */
  priorityClassName?: string;
  /**
   * ServiceAccount the pods run as.
   */
  serviceAccountName?: string;
}

/**
 * Observed state, written by the operator.
 */
export interface ProxyStatus {
  /**
   * Pods the Deployment has.
   */
  replicas?: number;
  /**
   * Pods that pass the readiness probe (the gRPC port accepts connections).
   */
  readyReplicas?: number;
  /**
   * Name server list the proxies use.
   */
  nameServers?: string;
  /**
   * RocketMQ cluster the proxies serve (the Broker's cluster name).
   */
  clusterName?: string;
  /**
   * Where clients inside the cluster connect, through the Service <name>.
   */
  endpoints?: {
    /**
     * Address for RocketMQ 5 gRPC clients (<name>.<namespace>.svc:8081).
     */
    grpc?: string;
    /**
     * Address for remoting clients, used as their name server address (<name>.<namespace>.svc:8080).
     */
    remoting?: string;
  };
  /**
   * Generation of the spec this status describes.
   */
  observedGeneration?: number;
  /**
   * Ready and Progressing conditions.
   */
  conditions?: {
    /**
     * Condition type (Ready, Progressing).
     */
    type: string;
    /**
     * Whether the condition holds.
     */
    status: 'True' | 'False' | 'Unknown';
    /**
     * One CamelCase word saying why.
     */
    reason?: string;
    /**
     * What is happening, for people.
     */
    message?: string;
    /**
     * When status last changed.
     */
    lastTransitionTime?: string;
  }[];
}

/**
 * Desired state of the controller group.
 */
export interface ControllerSpec {
  /**
   * Number of controllers (StatefulSet replicas, pods <name>-0 .. <name>-<size-1>), odd, at most 9. A majority must run for brokers to get a master elected: 3 survive one failure, 5 two. Changing it restarts the controllers one by one with the new peer list.
   */
  size: number;
  /**
   * Container image holding RocketMQ 5 (bin/mqcontroller), for example apache/rocketmq:5.3.3, apacherocketmq/rocketmq-controller:5.0.0-alpine-operator-0.4.0 or the original operator's example apacherocketmq/rocketmq-nameserver:5.0.0-alpine-operator-0.4.0.
   */
  controllerImage: string;
  /**
   * How the image is laid out, for an image whose name does not tell. Official is apache/rocketmq and images built like it (user 3000, data under /home/rocketmq); OriginalOperator is an image built with the original operator's scripts (root, data under /root). Unset, an image whose last path component is rocketmq-broker, rocketmq-namesrv, rocketmq-nameserver or rocketmq-controller, under any registry, is OriginalOperator, and any other image Official. Both are started with the same command.
   */
  imageFlavor?: 'Official' | 'OriginalOperator';
  /**
   * When the kubelet pulls the image (Always, IfNotPresent or Never).
   */
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Secrets holding registry credentials for the image.
   *
   * @maxItems 16
   */
  imagePullSecrets?: V1LocalObjectReference[];
  /**
   * CPU and memory requests and limits of the controller container (a Kubernetes ResourceRequirements).
   */
  resources?: V1ResourceRequirements;
  /**
   * Extra environment variables of the controller container, for example JAVA_OPT_EXT (appended to the JVM flags sized from the memory limit).
   *
   * @maxItems 128
   */
  env?: V1EnvVar[];
  /**
   * Where the controllers keep their Raft log and logs: EmptyDir (lost with the pod, so a pod that restarts rejoins empty and catches up from the others), HostPath (spec.hostPath on the node) or StorageClass (a PersistentVolumeClaim per pod from volumeClaimTemplates[0]; NFS is the old name of StorageClass).
   */
  storageMode: 'EmptyDir' | 'HostPath' | 'StorageClass' | 'NFS';
  /**
   * Directory on the node used when storageMode is HostPath.
   */
  hostPath?: string;
  /**
   * Element 0 names the data volume in every storage mode (default controller-storage) and is the PersistentVolumeClaim template in StorageClass mode; claims are named <template>-<name>-<i>. A larger storage request than the existing claims' is reported in the StorageResizePending condition, with the claims to grow; a smaller one is refused.
   *
   * @maxItems 8
   */
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  /**
   * Pod security context. When unset, the pod gets fsGroup 3000 and the RuntimeDefault seccomp profile, and runs as the non-root user 3000 unless the image is one of the original operator's root images.
   */
  securityContext?: V1PodSecurityContext;
  /**
   * Container security context. When unset, privilege escalation is off and all capabilities are dropped.
   */
  containerSecurityContext?: V1SecurityContext;
  /**
   * Annotations added to every controller pod.
   */
  podAnnotations?: {
    [k: string]: string;
  };
  /**
   * Pod affinity and anti-affinity rules (a Kubernetes Affinity).
   */
  affinity?: V1Affinity;
  /**
   * Tolerations of the pods.
   *
   * @maxItems 64
   */
  tolerations?: V1Toleration[];
  /**
   * How the controller pods spread across nodes or zones (Kubernetes TopologySpreadConstraints, at most 16), rendered into the pod template as given. Unset, none.
   *
   * @maxItems 16
   */
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
  /**
   * Node labels the pods must be scheduled on.
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * PriorityClass of the pods.
   */
  priorityClassName?: string;
  /**
   * ServiceAccount the pods run as.
   */
  serviceAccountName?: string;
}

/**
 * Observed state, written by the operator.
 */
export interface ControllerStatus {
  /**
   * Every controller's stable address, ';'-separated (<pod>.<name>-svc-headless.<namespace>.svc:9878), the controllerAddr brokers in controller mode use.
   */
  controllerAddr?: string;
  /**
   * The same addresses as a list.
   */
  addresses?: string[];
  /**
   * Pods the StatefulSet has.
   */
  replicas?: number;
  /**
   * Pods whose controller port accepts connections.
   */
  readyReplicas?: number;
  /**
   * Generation of the spec this status describes.
   */
  observedGeneration?: number;
  /**
   * Ready and Progressing conditions, and StorageResizePending while claims ask for less storage than volumeClaimTemplates.
   */
  conditions?: {
    /**
     * Condition type (Ready, Progressing, StorageResizePending).
     */
    type: string;
    /**
     * Whether the condition holds.
     */
    status: 'True' | 'False' | 'Unknown';
    /**
     * One CamelCase word saying why.
     */
    reason?: string;
    /**
     * What is happening, for people.
     */
    message?: string;
    /**
     * When status last changed.
     */
    lastTransitionTime?: string;
  }[];
}
