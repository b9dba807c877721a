// The contract every custom resource kind fulfils towards Metacontroller. Kind modules import it;
// the registry (hooks/registry.ts) imports the kinds, so nothing imports in a circle.
import type { HookRequest, KubeObject, RelatedResourceRule, SyncResponse } from './metacontroller.js';
import type { CustomKind } from '../schema/crds.js';

/** How this installation runs its Jobs; fixed for the life of the process. */
export interface OperatorSettings {
  /** Image of the runner Jobs: the hook service's own image. */
  runnerImage: string;
}

export const DEFAULT_SETTINGS: OperatorSettings = { runnerImage: 'rocketmq-operator:0.1.0' };

/** What each custom resource kind answers to Metacontroller. Each must be a pure function of its input. */
export interface KindHooks<Status = Record<string, unknown>> {
  kind: CustomKind;
  customize(parent: KubeObject): RelatedResourceRule[];
  sync(request: HookRequest, now: Date, settings?: OperatorSettings): SyncResponse<Status>;
  /** Cleanup before deletion; kinds without external state answer their sync with finalized: true. */
  finalize?(request: HookRequest, now: Date, settings?: OperatorSettings): SyncResponse<Status>;
}
