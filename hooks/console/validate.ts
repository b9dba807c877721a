// Every rule a Console must meet before anything is rendered: the CRD schema (with its CEL rules),
// then the child names it gives.
import type { HookRequest } from '../core/metacontroller.js';
import { type Parent, readParent } from '../core/parent.js';
import { checkChildName } from '../k8s/names.js';
import type { ConsoleSpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { consoleServiceName } from './render.js';

export const validateConsoleSpec = compileSpecValidator<ConsoleSpec>('Console');

export function readConsole(request: HookRequest): Parent<ConsoleSpec> {
  const parent = readParent(request, 'Console', validateConsoleSpec);
  checkChildName('Console', parent.name, 'Deployment', parent.name);
  checkChildName('Console', parent.name, 'Service', consoleServiceName(parent.name));
  return parent;
}
