// The official 4.9.7 image, as rendered by default (writable root filesystem).
import { officialImage } from './support/image.js';
import { podStartScenario } from './cluster-flow.js';

describe('rendered pods on apache/rocketmq:4.9.7', () => {
  const image = officialImage('4.9.7');
  podStartScenario({ nameServer: image, broker: image }, { readOnlyRootFilesystem: false });
});
