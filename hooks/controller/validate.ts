// Every rule a Controller must meet before anything is rendered: the CRD schema (with its CEL rules:
// an odd size, a name short enough for <name>-svc-headless), then the child names it gives.
import type { HookRequest } from '../core/metacontroller.js';
import { type Parent, readParent } from '../core/parent.js';
import type { ControllerSpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { checkControllerNames } from './names.js';

const validateSpec = compileSpecValidator<ControllerSpec>('Controller');

export function readController(request: HookRequest): Parent<ControllerSpec> {
  const parent = readParent(request, 'Controller', validateSpec);
  checkControllerNames(parent.name);
  return parent;
}
