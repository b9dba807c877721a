// The seven steps of a transfer, in order, by id: pure data shared by the hooks and the runner, which
// joins what runs and undoes each step to it by id. A step's number, which the record and the STEP
// printer column show, is its position here. Records carry numbers only (as they always did, and as
// the status schema has it), so the order is part of the record format: add steps, never reorder.
import type { StepRecord } from './state.js';

export const TRANSFER_STEPS = [
  { id: 'create-groups', title: 'create the consumer groups on the target' },
  { id: 'create-topic', title: 'create the topic on the target' },
  { id: 'stop-writes', title: 'stop writes on the source' },
  { id: 'wait-consumed', title: 'wait until the source is fully consumed' },
  { id: 'delete-source-topic', title: 'delete the topic on the source' },
  { id: 'delete-source-groups', title: 'delete the consumer groups on the source' },
  { id: 'create-retry-topics', title: 'create the retry topics on the target' },
] as const;

export type StepId = (typeof TRANSFER_STEPS)[number]['id'];

export function stepNumber(id: StepId): number {
  return TRANSFER_STEPS.findIndex((step) => step.id === id) + 1;
}

/** The record of a step, present once the step started. */
export function stepRecord(records: readonly StepRecord[], id: StepId): StepRecord | undefined {
  return records.find((record) => record.step === stepNumber(id));
}
