// The account a runner signs with comes from the two variables its Job reads from the Secret.
import { credentialsFromEnv } from '../../hooks/runner/credentials.js';

describe('runner credentials', () => {
  it('takes both variables, or none', () => {
    expect(credentialsFromEnv({ ROCKETMQ_ACCESS_KEY: 'admin-user', ROCKETMQ_SECRET_KEY: 's3cret!x' })).toEqual({
      accessKey: 'admin-user',
      secretKey: 's3cret!x',
    });
    expect(credentialsFromEnv({})).toBeUndefined();
  });

  it('refuses one without the other, naming the variables and no value', () => {
    expect(() => credentialsFromEnv({ ROCKETMQ_ACCESS_KEY: 'admin-user' })).toThrow(
      'ROCKETMQ_ACCESS_KEY and ROCKETMQ_SECRET_KEY must both be set, or neither',
    );
    expect(() => credentialsFromEnv({ ROCKETMQ_SECRET_KEY: 'only-secret' })).toThrow(/^((?!only-secret).)*$/);
  });
});
