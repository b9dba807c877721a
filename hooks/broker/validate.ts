// Every rule a Broker must meet before anything is rendered, in one place: the CRD schema (with its
// CEL rules), then what the schema cannot say.
import type { HookRequest } from '../core/metacontroller.js';
import { type Parent, readParent } from '../core/parent.js';
import type { Storage } from '../k8s/storage.js';
import type { BrokerSpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import type { BrokerMember } from './members.js';
import { checkBrokerNames } from './names.js';
import { checkProperties } from './render/config.js';
import { brokerMetricsPort } from './render/metrics.js';
import { checkAcl, checkVolumeNames } from './render/pod.js';

const validateSpec = compileSpecValidator<BrokerSpec>('Broker');

/** The parent with its spec defaulted, or a 422 naming every failing field. */
export function readBroker(request: HookRequest): Parent<BrokerSpec> {
  const parent = readParent(request, 'Broker', validateSpec);
  checkProperties(parent.name, parent.spec.properties, brokerMetricsPort(parent.spec) !== undefined);
  checkAcl(parent);
  return parent;
}

/** The spec alone for the customize hook, which has no children to look at. */
export const validateBrokerSpec = validateSpec;

/** Rules on what the spec and the observed brokers give together: child names and pod volumes. */
export function checkBrokerChildren(parent: Parent<BrokerSpec>, members: BrokerMember[], storage: Storage): void {
  checkBrokerNames(parent.name, members);
  checkVolumeNames(parent, storage);
}
