// Every rule a NameService must meet before anything is rendered: the CRD schema (with its CEL
// rules, including the one on metadata.name), then the child names it gives.
import type { HookRequest } from '../core/metacontroller.js';
import { type Parent, readParent } from '../core/parent.js';
import { checkChildName } from '../k8s/names.js';
import type { NameServiceSpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { checkEmbeddedController } from './controller.js';

const validateSpec = compileSpecValidator<NameServiceSpec>('NameService');

export function readNameService(request: HookRequest): Parent<NameServiceSpec> {
  const parent = readParent(request, 'NameService', validateSpec);
  checkChildName('NameService', parent.name, 'StatefulSet', parent.name);
  checkChildName('NameService', parent.name, 'Service', parent.name);
  checkEmbeddedController(parent);
  return parent;
}
