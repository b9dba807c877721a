// Every rule a TopicTransfer must meet before anything is rendered: the CRD schema (with its CEL
// rules), then the names of the Jobs it gives.
import type { HookRequest } from '../core/metacontroller.js';
import { type Parent, readParent } from '../core/parent.js';
import { checkChildName } from '../k8s/names.js';
import type { TopicTransferSpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { runnerJobName } from './render.js';

export const validateTransferSpec = compileSpecValidator<TopicTransferSpec>('TopicTransfer');

export function readTopicTransfer(request: HookRequest): Parent<TopicTransferSpec> {
  const parent = readParent(request, 'TopicTransfer', validateTransferSpec);
  checkChildName('TopicTransfer', parent.name, 'Job', runnerJobName(parent.name, 'transfer'));
  checkChildName('TopicTransfer', parent.name, 'Job', runnerJobName(parent.name, 'rollback'));
  return parent;
}
