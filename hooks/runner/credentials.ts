// The admin account a runner signs its requests with, from the variables its Job reads from the
// cluster's Secret; none when the cluster does not authenticate requests.
import { ACCESS_KEY_ENV, SECRET_KEY_ENV } from '../rocketmq-pods/acl.js';
import type { Credentials } from '../rocketmq/signature.js';

export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const accessKey = env[ACCESS_KEY_ENV];
  const secretKey = env[SECRET_KEY_ENV];
  if (!accessKey && !secretKey) return undefined;
  if (!accessKey || !secretKey) throw new Error(`${ACCESS_KEY_ENV} and ${SECRET_KEY_ENV} must both be set, or neither`);
  return { accessKey, secretKey };
}
