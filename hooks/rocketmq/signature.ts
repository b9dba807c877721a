// RocketMQ's request signature, checked by ACL 1.0 and by RocketMQ 5's authentication alike: the
// account's access key travels as the AccessKey ext field, and Signature is the Base64 HMAC-SHA1,
// keyed with the secret key, of every other ext field's value in the order of their names (Java's
// string order, which is JavaScript's), followed by the body.
import { createHmac } from 'node:crypto';

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

export const ACCESS_KEY_FIELD = 'AccessKey';
export const SIGNATURE_FIELD = 'Signature';

export function signedExtFields(
  fields: Record<string, string>,
  body: Buffer | undefined,
  credentials: Credentials,
): Record<string, string> {
  const signed: Record<string, string> = { ...fields, [ACCESS_KEY_FIELD]: credentials.accessKey };
  delete signed[SIGNATURE_FIELD];
  const content = Object.keys(signed)
    .sort()
    .map((key) => signed[key])
    .join('');
  const hmac = createHmac('sha1', Buffer.from(credentials.secretKey, 'utf8')).update(content, 'utf8');
  if (body) hmac.update(body);
  signed[SIGNATURE_FIELD] = hmac.digest('base64');
  return signed;
}
