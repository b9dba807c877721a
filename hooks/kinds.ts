import type { HookRequest, KubeObject, RelatedResourceRule, SyncResponse } from './metacontroller.js';
import type { CustomKind } from './schema/crds.js';
import { brokerHooks } from './broker/hooks.js';
import { consoleHooks } from './console/hooks.js';
import { nameServiceHooks } from './nameservice/hooks.js';
import { topicTransferHooks } from './topictransfer/hooks.js';

/** How this installation runs its Jobs; fixed for the life of the process. */
export interface OperatorSettings {
  /** Image of the runner Jobs: the hook service's own image. */
  runnerImage: string;
}

export const DEFAULT_SETTINGS: OperatorSettings = { runnerImage: 'rocketmq-operator:0.1.0' };

/** What each custom resource kind answers to Metacontroller. Each must be a pure function of its input. */
export interface KindHooks {
  kind: CustomKind;
  customize(parent: KubeObject): RelatedResourceRule[];
  sync(request: HookRequest, now: Date, settings?: OperatorSettings): SyncResponse;
  /** Cleanup before deletion; kinds without external state answer their sync with finalized: true. */
  finalize?(request: HookRequest, now: Date, settings?: OperatorSettings): SyncResponse;
}

export const KIND_HOOKS: Record<string, KindHooks> = {
  nameservice: nameServiceHooks,
  broker: brokerHooks,
  console: consoleHooks,
  topictransfer: topicTransferHooks,
};

export function hooksForKind(kind: string): KindHooks | undefined {
  return Object.values(KIND_HOOKS).find((h) => h.kind === kind);
}
