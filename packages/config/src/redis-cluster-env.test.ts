import { ConfigError, loadConfig } from './index';

describe('REDIS_CLUSTER_NODES', () => {
  it('when it is unset, then there are no seed nodes and Redis is standalone', () => {
    expect(loadConfig({}).env.REDIS_CLUSTER_NODES).toEqual([]);
  });

  it('when it lists nodes, then each host:port is kept, spaces and empty entries dropped', () => {
    const env = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.5:6379, redis-b:7001,,[::1]:7002' }).env;
    expect(env.REDIS_CLUSTER_NODES).toEqual(['10.0.0.5:6379', 'redis-b:7001', '[::1]:7002']);
  });

  it('when an entry has no port, then start-up is refused naming the variable', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.5' })).toThrow(/REDIS_CLUSTER_NODES/);
  });
});
