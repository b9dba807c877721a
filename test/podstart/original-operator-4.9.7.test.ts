// The original operator's images (its Dockerfiles and scripts, built for 4.9.7): a broker image whose
// brokerStart.sh writes broker.conf and a name-server image that starts by itself, both as root.
import { originalOperatorImage } from './support/image.js';
import { podStartScenario } from './cluster-flow.js';

describe("rendered pods on the original operator's images, RocketMQ 4.9.7", () => {
  podStartScenario(
    { nameServer: originalOperatorImage('namesrv', '4.9.7'), broker: originalOperatorImage('broker', '4.9.7') },
    { readOnlyRootFilesystem: false },
  );
});
