// Where a Broker in controller mode finds RocketMQ's controllers, from the request alone:
// spec.controllerAddr; else the Controller spec.controllerRef names; else the only Controller in the
// namespace; else the controllers inside the name servers of the brokers' NameService.
import { MissingDependencyError } from '../core/errors.js';
import type { ObservedObjects, RelatedResourceRule } from '../core/metacontroller.js';
import { chooseDependency, dependencyRule } from '../rocketmq-pods/dependency.js';
import { chooseNameService, embeddedControllersOf } from '../rocketmq-pods/nameservers.js';
import { type ControllerAddress, controllerList, controllerLookupAddress } from '../rocketmq-pods/controllers.js';
import type { BrokerSpec } from '../schema/types.js';
import { failoverMode } from './failover.js';

type ControllerFields = Pick<BrokerSpec, 'clusterMode' | 'replicationMode' | 'controllerAddr' | 'controllerRef'>;

export interface ControllerUser {
  name: string;
  namespace: string;
  spec: ControllerFields & Pick<BrokerSpec, 'nameServers' | 'nameServiceRef'>;
}

export interface ControllerChoice {
  /** What the brokers' controllerAddr says, and whether they resolve it by DNS. */
  controllers: ControllerAddress;
  /** Why the brokers may not reach controllers yet, for the Ready condition. */
  missing?: string;
}

function explicitList(spec: ControllerFields): string | undefined {
  return spec.controllerAddr?.trim() || undefined;
}

/** The customize rule that brings the Controllers to choose from; none outside controller mode or with a list. */
export function controllerRules(namespace: string, spec: ControllerFields): RelatedResourceRule[] {
  if (failoverMode(spec) !== 'CONTROLLER' || explicitList(spec)) return [];
  return [dependencyRule({ resource: 'controllers', namespace, ref: spec.controllerRef })];
}

/**
 * The controllers a CONTROLLER-mode Broker's brokers use. A named Controller that does not exist
 * yet still gives its address, so every broker is rendered (and waits for it); `missing` says so.
 */
export function findControllers({ name, namespace, spec }: ControllerUser, related: ObservedObjects): ControllerChoice {
  const explicit = explicitList(spec);
  if (explicit) return { controllers: controllerList(explicit) };
  const owner = `Broker ${namespace}/${name}`;
  const controllers = related
    .list('Controller', 'rocketmq.apache.org/v1alpha1')
    .filter((o) => (o.metadata.namespace ?? 'default') === namespace);
  if (spec.controllerRef) {
    const found = controllers.some((c) => c.metadata.name === spec.controllerRef);
    return {
      controllers: controllerLookupAddress(spec.controllerRef, namespace),
      ...(found
        ? {}
        : {
            missing: `Controller "${spec.controllerRef}" (spec.controllerRef) does not exist in namespace ${namespace}: the brokers wait for it; create it or fix the reference`,
          }),
    };
  }
  if (controllers.length > 0) {
    const controller = chooseDependency(related, {
      kind: 'Controller',
      resource: 'controllers',
      owner,
      namespace,
      refField: 'spec.controllerRef',
      whenNone: '',
    });
    return { controllers: controllerLookupAddress(controller.metadata.name, namespace) };
  }
  const nameService = chooseNameService({ kind: 'Broker', name, namespace, spec }, related);
  const embedded = nameService === undefined ? undefined : embeddedControllersOf(nameService);
  if (embedded) return { controllers: controllerList(embedded) };
  const nameServiceFix = nameService ? `, set spec.controller.enabled: true on NameService ${nameService.metadata.name}` : '';
  throw new MissingDependencyError(
    `${owner} runs in clusterMode CONTROLLER but finds no controllers: create a Controller in namespace ${namespace}${nameServiceFix}, or set spec.controllerRef or spec.controllerAddr ("host:9878;host:9878")`,
  );
}
