import type { V1Lifecycle } from '@kubernetes/client-node';

/**
 * Two families of RocketMQ images exist. The original operator's images (apacherocketmq/rocketmq-*,
 * or the same scripts built and pushed under a user's own registry) run as root, keep data under
 * /root and start name servers by themselves. The official images (apache/rocketmq and builds like
 * them) run as user 3000 with data under /home/rocketmq and need a start command.
 */
export interface ImageFlavor {
  /** The user's home in the image, where RocketMQ writes logs/ and store/. */
  dataRoot: string;
  runsAsRoot: boolean;
  /** Command that starts a name server, when the image does not start one by itself. */
  nameServerCommand?: string[];
  /** Where the broker's generated configuration is mounted, a file the image's start reads. */
  brokerConfigPath: string;
  /** Command that starts a broker from brokerConfigPath with the operator's name-server list. */
  brokerCommand: string[];
  /** The copy of brokerConfigPath brokerCommand starts the broker from, when the operator's command starts it. */
  brokerConfigCopy?: string;
  /** Environment variable through which the image's start script takes the broker's JVM memory flags. */
  brokerMemoryVariable: 'BROKER_MEM' | 'JAVA_OPT_EXT';
  /** Command that starts a proxy from PROXY_CONFIG_PATH; the original operator's RocketMQ 4 images have none. */
  proxyCommand?: string[];
}

/** Where a proxy's generated rmq-proxy.json is mounted (the directory of its ConfigMap volume). */
export const PROXY_CONFIG_DIR = '/etc/rocketmq-proxy';
export const PROXY_CONFIG_FILE = 'rmq-proxy.json';

/** The spec's imageFlavor values (the CRDs' enum). */
export type ImageFlavorName = 'Official' | 'OriginalOperator';

/**
 * The original operator's README has users build its images and push them under names of their own
 * (its example runs docker.io/library/rocketmq-broker:4.5.0-alpine): the last path component, under
 * any registry and owner, is what tells them apart.
 */
const ORIGINAL_OPERATOR_IMAGE = /(^|\/)rocketmq-(namesrv|nameserver|broker|controller)(:|@|$)/;

/** The flavor the spec declares, else the one the image's name tells. */
function flavorName(image: string, declared?: ImageFlavorName): ImageFlavorName {
  return declared ?? (ORIGINAL_OPERATOR_IMAGE.test(image) ? 'OriginalOperator' : 'Official');
}

/**
 * The variable through which brokers take the operator's name-server list (from the broker
 * ConfigMap). Their start command exports it as NAMESRV_ADDR, the name the images' scripts read.
 * NAMESRV_ADDR itself is not given from the ConfigMap: a StatefulSet adopted from the original
 * operator carries it as a plain value the operator never applied, which an apply keeps beside a
 * `valueFrom`, and the API server refuses an entry with both. A user's NAMESRV_ADDR in spec.env
 * leaves this variable out, so theirs is used.
 */
export const NAME_SERVER_LIST_VARIABLE = 'NAMESRV_LIST';
const EXPORT_NAME_SERVERS = `export NAMESRV_ADDR="\${${NAME_SERVER_LIST_VARIABLE}:-$NAMESRV_ADDR}"`;

/**
 * The original broker image's brokerStart.sh turns conf/broker-common.conf into conf/broker.conf: it
 * re-appends the identity lines from BROKER_* env, adds brokerIP1=$POD_IP and runs
 * `mqbroker -n $NAMESRV_ADDR -c conf/broker.conf`.
 */
const ORIGINAL_BROKER_CONFIG = '/root/rocketmq/broker/conf/broker-common.conf';
/** The image's own start (its working directory is the one brokerStart.sh is in), given the list first. */
const ORIGINAL_BROKER_START = `${EXPORT_NAME_SERVERS} && exec /bin/bash ./brokerStart.sh`;

/**
 * Official images have no broker start script. The mounted file is read-only and shared by the pod's
 * restarts, so the pod IP (the address the broker registers, also right on the host network) is
 * appended to a copy; `-n` makes NAMESRV_ADDR win over any namesrvAddr in the file. The copy goes
 * into the store volume, writable also where the root filesystem is read-only, and is made afresh at
 * every start.
 */
const OFFICIAL_BROKER_CONFIG = '/etc/rocketmq/broker.conf';
const OFFICIAL_BROKER_COPY = '/home/rocketmq/store/broker.conf';

/** The official images' broker start, with `steps` (shell) run on the copy before the broker starts. */
export function officialBrokerCommand(steps: string[] = []): string[] {
  const start = [
    EXPORT_NAME_SERVERS,
    `cp ${OFFICIAL_BROKER_CONFIG} ${OFFICIAL_BROKER_COPY}`,
    `echo "brokerIP1=\${POD_IP}" >> ${OFFICIAL_BROKER_COPY}`,
    ...steps,
    `exec sh "$ROCKETMQ_HOME/bin/mqbroker" -n "$NAMESRV_ADDR" -c ${OFFICIAL_BROKER_COPY}`,
  ];
  return ['sh', '-c', start.join(' && ')];
}

/** The official images' proxy start from `config`, with `steps` (shell) run before it. */
export function officialProxyCommand(steps: string[] = [], config = `${PROXY_CONFIG_DIR}/${PROXY_CONFIG_FILE}`): string[] {
  return ['sh', '-c', [...steps, `exec sh "$ROCKETMQ_HOME/bin/mqproxy" -pc ${config}`].join(' && ')];
}

/**
 * The images' start scripts keep a shell between the container's main process and the JVM (the
 * official `mqbroker` runs `sh runbroker.sh`, which runs java without exec; `mqnamesrv` likewise),
 * and a shell as PID 1 ignores the kubelet's SIGTERM: the JVM would be killed when the grace period
 * ends, and a broker killed so replays its commit log at the next start. This hook sends SIGTERM to
 * the container's JVMs, as `mqshutdown` does but without `ps`, which the images need not have, and
 * returns once they have exited, so the container's shells exit with them.
 */
const STOP_JVMS = [
  'pids=""',
  'for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = java ] && pids="$pids ${p#/proc/}"; done',
  '[ -z "$pids" ] || kill $pids',
  'for pid in $pids; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done',
].join('; ');

export const STOP_JVMS_LIFECYCLE: V1Lifecycle = { preStop: { exec: { command: ['sh', '-c', STOP_JVMS] } } };

export function imageFlavor(image: string, declared?: ImageFlavorName): ImageFlavor {
  if (flavorName(image, declared) === 'OriginalOperator') {
    return {
      dataRoot: '/root',
      runsAsRoot: true,
      brokerConfigPath: ORIGINAL_BROKER_CONFIG,
      brokerCommand: ['/bin/bash', '-c', ORIGINAL_BROKER_START],
      brokerMemoryVariable: 'BROKER_MEM',
    };
  }
  return {
    dataRoot: '/home/rocketmq',
    runsAsRoot: false,
    nameServerCommand: ['sh', '-c', 'exec sh "$ROCKETMQ_HOME/bin/mqnamesrv"'],
    brokerConfigPath: OFFICIAL_BROKER_CONFIG,
    brokerCommand: officialBrokerCommand(),
    brokerConfigCopy: OFFICIAL_BROKER_COPY,
    brokerMemoryVariable: 'JAVA_OPT_EXT',
    // bin/mqproxy runs ProxyStartup through runserver.sh, which appends JAVA_OPT_EXT to its JVM flags.
    proxyCommand: officialProxyCommand(),
  };
}

/**
 * The RocketMQ release an image tag names (`4.5.0-alpine-operator-0.3.0`, `5.3.1`, `v4.9.7`), or
 * undefined for a tag that names none (`latest`, a digest only, a build of one's own).
 */
export function imageVersion(image: string): [number, number, number] | undefined {
  const withoutDigest = image.split('@')[0];
  const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  if (colon < 0) return undefined;
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?![\d])/.exec(lastPart.slice(colon + 1));
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** The first release whose brokers re-read namesrvAddr while they run (apache/rocketmq#4456). */
const FIRST_NAME_SERVER_RELOAD: [number, number, number] = [4, 9, 4];

/**
 * Whether a broker of this image takes a new namesrvAddr sent with updateBrokerConfig without a
 * restart. From 4.9.4 (and in every 5.x) the broker re-reads it on a timer
 * (`updateNameServerAddrPeriod`, 2 minutes by default; fixed at 2 minutes in 4.9.x); older ones
 * read it only when they start, so a new list needs a restart. An image whose tag names no version
 * is taken to be a current one.
 */
export function reloadsNameServers(image: string): boolean {
  const version = imageVersion(image);
  if (!version) return true;
  for (let i = 0; i < 3; i++) if (version[i] !== FIRST_NAME_SERVER_RELOAD[i]) return version[i] > FIRST_NAME_SERVER_RELOAD[i];
  return true;
}

/**
 * Whether the image's broker has RocketMQ 5's Prometheus exporter. The original operator's images
 * are RocketMQ 4. An official image whose tag names no version (latest, a digest) is taken to be of
 * the current line, 5: a 4.x broker given the exporter's keys ignores them.
 */
export function hasPrometheusExporter(image: string, declared?: ImageFlavorName): boolean {
  if (flavorName(image, declared) === 'OriginalOperator') return false;
  return (imageVersion(image)?.[0] ?? 5) >= 5;
}
