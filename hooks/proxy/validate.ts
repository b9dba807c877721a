// Every rule a Proxy must meet before anything is rendered: the CRD schema (with its CEL rules),
// an image that has a proxy, then the child names it gives.
import { InvalidSpecError } from '../core/errors.js';
import type { HookRequest } from '../core/metacontroller.js';
import { type Parent, readParent } from '../core/parent.js';
import { imageFlavor } from '../rocketmq-pods/image.js';
import type { ProxySpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { checkProxyNames } from './names.js';

export const validateProxySpec = compileSpecValidator<ProxySpec>('Proxy');

export function readProxy(request: HookRequest): Parent<ProxySpec> {
  const parent = readParent(request, 'Proxy', validateProxySpec);
  checkProxyNames(parent.name);
  if (!imageFlavor(parent.spec.proxyImage).proxyCommand) {
    throw new InvalidSpecError('Proxy', parent.name, [
      `spec.proxyImage: ${parent.spec.proxyImage} is one of the original operator's RocketMQ 4 images, which have no proxy; use a RocketMQ 5 image such as apache/rocketmq:5.3.3`,
    ]);
  }
  return parent;
}
