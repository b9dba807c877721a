// Authentication of a cluster's requests with one admin account kept in a Secret. The hooks never
// see the Secret's values: containers read them as environment variables from the Secret, and a
// start command writes them, at each start, where RocketMQ reads them, on a volume of the pod.
import type { V1EnvVar } from '@kubernetes/client-node';
import { BROKER_LOGGING_HOME } from './broker-logging.js';
import { imageVersion } from './image.js';

export interface AclSpec {
  enabled?: boolean;
  adminSecret?: string;
}

/** The keys the admin Secret holds. */
export const ACCESS_KEY = 'accessKey';
export const SECRET_KEY = 'secretKey';

/** The variables containers read the account from; the runner reads the same. */
export const ACCESS_KEY_ENV = 'ROCKETMQ_ACCESS_KEY';
export const SECRET_KEY_ENV = 'ROCKETMQ_SECRET_KEY';

/**
 * RocketMQ 4 knows only ACL 1.0 (aclEnable and plain_acl.yml); RocketMQ 5.3 has authentication and
 * authorization with users kept by the broker. Both check the same request signature.
 */
export type AclGeneration = 'plain' | 'auth';

/** The Secret of an enabled acl, else undefined. */
export function aclSecretOf(acl: AclSpec | undefined): string | undefined {
  return acl?.enabled ? acl.adminSecret : undefined;
}

/** The admin Secret of an observed Broker whose spec.acl is on; read loosely, as the Broker's own hook validates it. */
export function adminSecretOfBroker(broker: { [key: string]: unknown }): string | undefined {
  const acl = (broker.spec as { acl?: { enabled?: unknown; adminSecret?: unknown } } | undefined)?.acl;
  return acl?.enabled === true && typeof acl.adminSecret === 'string' && acl.adminSecret !== '' ? acl.adminSecret : undefined;
}

/** An image whose tag names a 4.x (or older) release runs RocketMQ 4; any other is taken for RocketMQ 5. */
export function aclGeneration(image: string): AclGeneration {
  const version = imageVersion(image);
  return version !== undefined && version[0] <= 4 ? 'plain' : 'auth';
}

/** Whether a broker of this image and acl runs ACL 1.0, and so takes the operator's logging configuration. */
export function usesPlainAcl(acl: AclSpec | undefined, image: string): boolean {
  return aclSecretOf(acl) !== undefined && aclGeneration(image) === 'plain';
}

/** The two variables, each read from the Secret; the pod does not start while either key is missing. */
export function credentialEnv(secret: string): V1EnvVar[] {
  return [
    { name: ACCESS_KEY_ENV, valueFrom: { secretKeyRef: { name: secret, key: ACCESS_KEY } } },
    { name: SECRET_KEY_ENV, valueFrom: { secretKeyRef: { name: secret, key: SECRET_KEY } } },
  ];
}

/** RocketMQ 5.3's providers that keep users and their permissions in the broker's store. */
const AUTH_PACKAGE = 'org.apache.rocketmq.auth';
export const BROKER_AUTH_PROVIDERS = {
  authenticationProvider: `${AUTH_PACKAGE}.authentication.provider.DefaultAuthenticationProvider`,
  authenticationMetadataProvider: `${AUTH_PACKAGE}.authentication.provider.LocalAuthenticationMetadataProvider`,
  authorizationProvider: `${AUTH_PACKAGE}.authorization.provider.DefaultAuthorizationProvider`,
  authorizationMetadataProvider: `${AUTH_PACKAGE}.authorization.provider.LocalAuthorizationMetadataProvider`,
} as const;

/**
 * RocketMQ 5.3's proxy providers: users and permissions are the brokers', asked for with the proxy's
 * account, which in cluster mode the proxy signs its requests with only when told to.
 */
const PROXY_AUTH_PACKAGE = 'org.apache.rocketmq.proxy.auth';
export const PROXY_AUTH_SETTINGS = {
  enableAclRpcHookForClusterMode: true,
  authenticationEnabled: true,
  authenticationProvider: BROKER_AUTH_PROVIDERS.authenticationProvider,
  authenticationMetadataProvider: `${PROXY_AUTH_PACKAGE}.ProxyAuthenticationMetadataProvider`,
  authorizationEnabled: true,
  authorizationProvider: BROKER_AUTH_PROVIDERS.authorizationProvider,
  authorizationMetadataProvider: `${PROXY_AUTH_PACKAGE}.ProxyAuthorizationMetadataProvider`,
} as const;

/**
 * The broker.conf lines that hold no secret: they go into the ConfigMap like the rest. RocketMQ 4
 * brokers also take the operator's logging configuration, which does not log the ACL file.
 */
export function brokerAclProperties(generation: AclGeneration): Record<string, string> {
  if (generation === 'plain') return { aclEnable: 'true', rocketmqHome: BROKER_LOGGING_HOME };
  return { authenticationEnabled: 'true', authorizationEnabled: 'true', ...BROKER_AUTH_PROVIDERS };
}

/**
 * Shell that stops the start, naming the Secret's rule but never its values, unless both values are
 * at least 7 printable ASCII characters: ACL 1.0 refuses shorter keys, and properties files are read
 * as Latin-1, so anything else would not reach RocketMQ as written.
 */
const CHECK_CREDENTIALS = [
  `for v in "$${ACCESS_KEY_ENV}" "$${SECRET_KEY_ENV}"; do`,
  // What is left after deleting the printable characters, with a mark, since $(...) drops trailing newlines.
  `if [ "\${#v}" -lt 7 ] || [ "$(printf '%s' "$v" | LC_ALL=C tr -d ' -~'; echo .)" != . ]; then`,
  `echo "the admin Secret (spec.acl.adminSecret) must hold ${ACCESS_KEY} and ${SECRET_KEY} of at least 7 printable ASCII characters each" >&2;`,
  'exit 1; fi; done',
].join(' ');

/** Shell functions: `json` escapes a value for a JSON or YAML double-quoted string, `prop` that again for a properties file. */
const ESCAPES = String.raw`json() { printf '%s' "$1" | sed 's/[\\"]/\\&/g'; } && prop() { json "$1" | sed 's/\\/\\\\/g'; }`;

const AK = `$${ACCESS_KEY_ENV}`;
const SK = `$${SECRET_KEY_ENV}`;

/**
 * Shell steps, run before the broker starts from `brokerConf` (a fresh copy on the store volume),
 * that put the Secret's account where the broker reads it: for RocketMQ 5, the first super user and
 * the credentials the broker signs its own requests with (to its master, for one), appended to the
 * copy; for RocketMQ 4, a plain_acl.yml next to it with the account as the only one, the file the
 * broker is pointed at instead of the image's own (which holds well-known accounts). The files are
 * readable by their owner only. The variables are then unset, so the JVM does not carry them.
 */
export function brokerAclSteps(generation: AclGeneration, brokerConf: string): string[] {
  const steps = [CHECK_CREDENTIALS, ESCAPES];
  if (generation === 'auth') {
    const user = String.raw`{\"username\":\"$(prop "${AK}")\",\"password\":\"$(prop "${SK}")\"}`;
    const inner = String.raw`{\"accessKey\":\"$(prop "${AK}")\",\"secretKey\":\"$(prop "${SK}")\"}`;
    steps.push(
      `chmod 600 ${brokerConf}`,
      `printf '%s\\n' "initAuthenticationUser=${user}" "innerClientAuthenticationCredentials=${inner}" >> ${brokerConf}`,
    );
  } else {
    const aclFile = `${brokerConf.slice(0, brokerConf.lastIndexOf('/'))}/plain_acl.yml`;
    const yaml = String.raw`globalWhiteRemoteAddresses: []\naccounts:\n  - accessKey: \"%s\"\n    secretKey: \"%s\"\n    admin: true\n`;
    steps.push(
      `: > ${aclFile}`,
      `chmod 600 ${aclFile}`,
      `printf "${yaml}" "$(json "${AK}")" "$(json "${SK}")" >> ${aclFile}`,
      // RocketMQ 4 reads rocketmq.acl.plain.file relative to ROCKETMQ_HOME: climb to / first.
      `JAVA_OPT_EXT="$JAVA_OPT_EXT -Drocketmq.acl.plain.file=$(printf '%s' "$ROCKETMQ_HOME" | sed 's#[^/][^/]*#..#g; s#^/##')${aclFile}"`,
      'export JAVA_OPT_EXT',
    );
  }
  steps.push(`unset ${ACCESS_KEY_ENV} ${SECRET_KEY_ENV}`);
  return steps;
}

/**
 * Shell steps that write `target`: the JSON object in `source` (its last line the closing brace)
 * with the account the proxy signs its requests to the brokers with, a JSON string holding JSON.
 */
export function proxyAclSteps(source: string, target: string): string[] {
  const inner = String.raw`{\"accessKey\":\"$(json "${AK}")\",\"secretKey\":\"$(json "${SK}")\"}`;
  return [
    CHECK_CREDENTIALS,
    ESCAPES,
    `: > ${target}`,
    `chmod 600 ${target}`,
    `sed '$d' ${source} >> ${target}`,
    `printf ',\\n  "innerClientAuthenticationCredentials": "%s"\\n}\\n' "$(json "${inner}")" >> ${target}`,
    `unset ${ACCESS_KEY_ENV} ${SECRET_KEY_ENV}`,
  ];
}
