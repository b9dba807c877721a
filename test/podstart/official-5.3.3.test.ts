// The official 5.3.3 image with a read-only root filesystem, a Proxy in front of the brokers: every
// check of the scenario holds with only the mounted volumes writable.
import { officialImage } from './support/image.js';
import { podStartScenario } from './cluster-flow.js';

describe('rendered pods on apache/rocketmq:5.3.3, read-only root filesystem', () => {
  const image = officialImage('5.3.3');
  podStartScenario({ nameServer: image, broker: image }, { readOnlyRootFilesystem: true, proxy: true });
});
