// The root filesystem of a RocketMQ image, laid out in a directory from the release files in
// ../shared/upstream and the jars Maven fetches, as the image's Dockerfile builds it: the official
// apache/rocketmq images (rocketmq-docker) and the original operator's per-component images.
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureProxyLib, ensureRocketMQLib } from '../../support/rocketmq.js';

/** The upstream files, beside the repository as the system tests find ../shared. */
export const UPSTREAM = resolve(process.cwd(), '../shared/upstream');

export const ROCKETMQ_USER = 3000;

export interface ImageFlavor {
  /** What the tests call it. */
  name: string;
  version: string;
  rocketmqHome: string;
  workingDir: string;
  entrypoint: string[];
  cmd: string[];
  /** The image's ENV, as the container runtime sets it. */
  env: Record<string, string>;
  /** The image's USER. */
  user: number;
  /** The image's own scripts: files under UPSTREAM, by the name the Dockerfile gives them in $ROCKETMQ_HOME/bin. */
  scripts: Record<string, string>;
}

/** Where eclipse-temurin images keep their JDK (the official images' base). */
const JAVA_HOME = '/opt/java/openjdk';

export function officialImage(version: '5.3.3' | '4.9.7'): ImageFlavor {
  const rocketmqHome = `/home/rocketmq/rocketmq-${version}`;
  return {
    name: `apache/rocketmq:${version}`,
    version,
    rocketmqHome,
    workingDir: `${rocketmqHome}/bin`,
    entrypoint: ['./docker-entrypoint.sh'],
    cmd: ['dummy'],
    env: {
      PATH: `${JAVA_HOME}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      JAVA_HOME,
      LANG: 'en_US.UTF-8',
      ROCKETMQ_VERSION: version,
      ROCKETMQ_HOME: rocketmqHome,
    },
    user: ROCKETMQ_USER,
    // The customize scripts replace runserver.sh and runbroker.sh.
    scripts: {
      'docker-entrypoint.sh': 'rocketmq-docker/scripts/docker-entrypoint.sh',
      'runserver.sh': 'rocketmq-docker/scripts/runserver-customize.sh',
      'runbroker.sh': 'rocketmq-docker/scripts/runbroker-customize.sh',
    },
  };
}

/** The original operator's images: one per component, its scripts, run as root from $ROCKETMQ_HOME/bin. */
const ORIGINAL_COMPONENTS = {
  broker: {
    home: '/root/rocketmq/broker',
    cmd: ['/bin/bash', './brokerStart.sh'],
    scripts: {
      'runbroker.sh': 'rocketmq-operator-images/broker/alpine/runbroker-customize.sh',
      'brokerGenConfig.sh': 'rocketmq-operator-images/broker/alpine/brokerGenConfig.sh',
      'brokerStart.sh': 'rocketmq-operator-images/broker/alpine/brokerStart.sh',
    },
  },
  namesrv: {
    home: '/root/rocketmq/nameserver',
    cmd: ['/bin/bash', 'mqnamesrv'],
    scripts: { 'runserver.sh': 'rocketmq-operator-images/namesrv/alpine/runserver-customize.sh' },
  },
};

/**
 * An image the original operator's Dockerfiles build for a release (its build scripts take the
 * version), named as its images are. Its base image keeps the JDK elsewhere; the scripts find it
 * from `javac` on the PATH, so the harness's JDK stand-in serves as well.
 */
export function originalOperatorImage(component: keyof typeof ORIGINAL_COMPONENTS, version: '4.9.7'): ImageFlavor {
  const { home, cmd, scripts } = ORIGINAL_COMPONENTS[component];
  return {
    name: `apacherocketmq/rocketmq-${component}:${version}-alpine-operator-0.3.0`,
    version,
    rocketmqHome: home,
    workingDir: `${home}/bin`,
    entrypoint: [],
    cmd,
    env: {
      PATH: `${JAVA_HOME}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      JAVA_HOME,
      LANG: 'C.UTF-8',
      ROCKETMQ_VERSION: version,
      ROCKETMQ_HOME: home,
    },
    user: 0,
    scripts,
  };
}

/**
 * The images run JDK 8; this machine has JDK 17. A stand-in `java` at the image's JAVA_HOME turns
 * the JDK 8 flags of the image's scripts into their JDK 17 meaning and execs the real JVM, so the
 * process is still the JVM the scripts started, with the memory flags they passed unchanged:
 * -Djava.ext.dirs (how JDK 8 puts lib/ on the class path) becomes class-path entries, removed -XX
 * options are ignored, and the packages RocketMQ reaches into are opened (JDK 8 has no modules).
 * A regular file, not a link: the scripts find JAVA_HOME from `readlink -f $(which javac)`.
 */
function javaStandIn(realJava: string): string {
  return `#!/bin/sh
ext=
cp_next=
for arg do
  shift
  case "$arg" in
    -Djava.ext.dirs=*) ext="\${arg#-Djava.ext.dirs=}"; continue ;;
  esac
  set -- "$@" "$arg"
done
for arg do
  shift
  if [ -n "$cp_next" ]; then
    for dir in $(echo "$ext" | tr ':' ' '); do arg="$arg:$dir/*"; done
    cp_next=
  fi
  case "$arg" in -cp|-classpath) cp_next=1 ;; esac
  set -- "$@" "$arg"
done
exec ${realJava} -XX:+IgnoreUnrecognizedVMOptions \\
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \\
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED "$@"
`;
}

const REAL_JDK = '/usr/lib/jvm/java-17-openjdk-amd64';

/** Host directories every pod sees read-only at the same path (the JDK and tools under /usr). */
export const HOST_DIRECTORIES = ['/usr'];
/** Host /etc, read-only, for what the pod's /etc links to. */
export const HOST_ETC = '/host-etc';

/** Files of /etc each pod gets its own copy of: the container runtime or the image writes them. */
const OWN_ETC = new Set(['hosts', 'hostname', 'passwd', 'group', 'resolv.conf', 'mtab']);

export interface ImageLayout {
  flavor: ImageFlavor;
  /** A directory to copy a pod's root filesystem from. */
  template: string;
  /** Host directory mounted at $ROCKETMQ_HOME/lib: the release's classpath, from Maven Central. */
  lib: string;
  /** The same for proxy containers (RocketMQ 5): the rocketmq-proxy jars and what they need. */
  proxyLib?: string;
}

export async function layOutImage(flavor: ImageFlavor, dir: string): Promise<ImageLayout> {
  if (!existsSync(join(UPSTREAM, `rocketmq-${flavor.version}`))) throw new Error(`${UPSTREAM}/rocketmq-${flavor.version} not found`);
  if (!existsSync(join(REAL_JDK, 'bin/java'))) throw new Error(`the pod harness needs a JDK 17 at ${REAL_JDK}`);
  const lib = await ensureRocketMQLib(flavor.version);
  const root = join(dir, 'rootfs');
  for (const d of ['usr', 'proc', 'dev', 'tmp', 'root', HOST_ETC.slice(1), 'etc', 'home/rocketmq', `${JAVA_HOME.slice(1)}/bin`]) {
    mkdirSync(join(root, d), { recursive: true });
  }
  chmodSync(join(root, 'tmp'), 0o1777);
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${link}`, join(root, link));
  for (const entry of readdirSync('/etc')) if (!OWN_ETC.has(entry)) symlinkSync(`${HOST_ETC}/${entry}`, join(root, 'etc', entry));
  writeFileSync(join(root, 'etc/passwd'), `root:x:0:0:root:/root:/bin/sh\nrocketmq:x:3000:3000::/home/rocketmq:/bin/bash\n`);
  writeFileSync(join(root, 'etc/group'), `root:x:0:\nrocketmq:x:3000:\n`);
  symlinkSync('/proc/self/mounts', join(root, 'etc/mtab'));
  writeFileSync(join(root, JAVA_HOME, 'bin/java'), javaStandIn(join(REAL_JDK, 'bin/java')), { mode: 0o755 });
  writeFileSync(join(root, JAVA_HOME, 'bin/javac'), `#!/bin/sh\nexec ${REAL_JDK}/bin/javac "$@"\n`, { mode: 0o755 });

  // As the Dockerfile does: the release, then the image's scripts into bin/, everything owned by the
  // image's user.
  const home = join(root, flavor.rocketmqHome);
  cpSync(join(UPSTREAM, `rocketmq-${flavor.version}`), home, { recursive: true });
  mkdirSync(join(home, 'lib'));
  for (const [name, source] of Object.entries(flavor.scripts)) cpSync(join(UPSTREAM, source), join(home, 'bin', name));
  chownTree(join(root, flavor.user === 0 ? 'root' : 'home/rocketmq'), flavor.user);
  for (const f of readdirSync(join(home, 'bin'))) chmodSync(join(home, 'bin', f), 0o755);
  const proxyLib = flavor.version.startsWith('5.') ? await ensureProxyLib() : undefined;
  return { flavor, template: root, lib, proxyLib };
}

function chownTree(path: string, id: number): void {
  chownSync(path, id, id);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, id);
    else chownSync(child, id, id);
  }
}
