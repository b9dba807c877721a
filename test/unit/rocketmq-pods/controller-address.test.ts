import {
  controllerAddressKeys,
  controllerAddressOf,
  controllerList,
  controllerLookupAddress,
} from '../../../hooks/rocketmq-pods/controllers.js';
import { formatProperties, parseConfigLines } from '../../../hooks/rocketmq/properties.js';

/** A broker.conf in controller mode with the keys that give it `controllers`. */
function confWith(keys: Record<string, string>): Record<string, string> {
  return parseConfigLines(formatProperties({ enableControllerMode: 'true', ...keys }));
}

describe("a broker's controller address", () => {
  it("names a Controller's headless Service, resolved by the brokers to every pod", () => {
    const lookup = controllerLookupAddress('ctl', 'mq');
    expect(lookup).toEqual({ address: 'ctl-svc-headless.mq.svc:9878', dnsLookup: true });
    expect(controllerAddressKeys(lookup)).toEqual({
      controllerAddr: 'ctl-svc-headless.mq.svc:9878',
      fetchControllerAddrByDnsLookup: 'true',
    });
  });

  it('writes a fixed list without the lookup flag', () => {
    expect(controllerAddressKeys(controllerList('a:9878;b:9878'))).toEqual({ controllerAddr: 'a:9878;b:9878' });
  });

  it('is read back from the broker.conf it was written into, for whoever must reach the same controllers', () => {
    for (const written of [controllerLookupAddress('ctl', 'mq'), controllerList('a:9878;b:9878')]) {
      expect(controllerAddressOf(confWith(controllerAddressKeys(written)))).toEqual(written);
    }
  });

  it('is absent from a broker.conf outside controller mode', () => {
    expect(controllerAddressOf({ controllerAddr: 'a:9878' })).toBeUndefined();
    expect(controllerAddressOf(confWith({}))).toBeUndefined();
  });
});
