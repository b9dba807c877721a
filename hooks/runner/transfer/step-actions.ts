// The transfer's steps as data: the catalogue (ids and titles, shared with the hooks) joined by id to
// what runs each step and what undoes it. The rollback follows the step records, not step numbers.
import { stepRecord, TRANSFER_STEPS, type StepId } from '../../topictransfer/steps.js';
import type { RunContext } from './context.js';
import { removeFromTarget, restoreSourceGroups, restoreSourceTopic, settleUnfinishedRemovals, type RollbackContext } from './rollback.js';
import {
  awaitSourceConsumed,
  createGroupsOnTarget,
  createRetryTopicsOnTarget,
  createTopicOnTarget,
  deleteGroupsOnSource,
  deleteTopicOnSource,
  stopWritesOnSource,
} from './steps.js';

type Undo = (ctx: RollbackContext) => Promise<void>;

export interface TransferStep {
  id: StepId;
  title: string;
  /** Does the step; returns what it did, for people. */
  run: (ctx: RunContext) => Promise<string>;
  /** Takes back what the step may have changed, in order; an undo several steps share runs once. */
  undo: readonly Undo[];
}

const ACTIONS: { [Id in StepId]: Pick<TransferStep, 'run' | 'undo'> } = {
  // What the transfer put on the target (groups, topic, retry topics) leaves together, once the
  // topic there is consumed, and last: after the source is whole again, so clients always have one.
  'create-groups': { run: (ctx) => createGroupsOnTarget(ctx), undo: [removeFromTarget] },
  'create-topic': { run: createTopicOnTarget, undo: [] },
  'stop-writes': { run: stopWritesOnSource, undo: [restoreSourceTopic] },
  'wait-consumed': { run: awaitSourceConsumed, undo: [] },
  // A removal cut short may have taken routes from brokers that keep the topic: they get them back
  // once the source topic is restored.
  'delete-source-topic': { run: deleteTopicOnSource, undo: [restoreSourceTopic, settleUnfinishedRemovals] },
  'delete-source-groups': { run: deleteGroupsOnSource, undo: [restoreSourceGroups] },
  'create-retry-topics': { run: createRetryTopicsOnTarget, undo: [] },
};

export const STEPS: readonly TransferStep[] = TRANSFER_STEPS.map((step) => ({ ...step, ...ACTIONS[step.id] }));

/** Undoes every step that started (it has a record), the latest first. */
export async function rollBack(ctx: RollbackContext): Promise<void> {
  const done = new Set<Undo>();
  for (const step of [...STEPS].reverse()) {
    if (!stepRecord(ctx.steps, step.id)) continue;
    for (const undo of step.undo) {
      if (done.has(undo)) continue;
      done.add(undo);
      await undo(ctx);
    }
  }
}
