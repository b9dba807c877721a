// Every rule a Console must meet before anything is rendered: the CRD schema (with its CEL rules),
// then the child names it gives.
import { InvalidSpecError } from '../core/errors.js';
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
  checkJavaOpts(parent);
  return parent;
}

/** The name server flags are appended to the first container's JAVA_OPTS, so it must be a plain value. */
function checkJavaOpts(parent: Parent<ConsoleSpec>): void {
  const env = parent.spec.consoleDeployment.spec?.template.spec?.containers[0]?.env ?? [];
  if (env.some((e) => e.name === 'JAVA_OPTS' && e.valueFrom)) {
    throw new InvalidSpecError('Console', parent.name, [
      'spec.consoleDeployment.spec.template.spec.containers[0].env: JAVA_OPTS comes from valueFrom, so -Drocketmq.namesrv.addr cannot be added to it; give it as a value',
    ]);
  }
}
