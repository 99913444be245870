import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { envSchema } from '../src';

/**
 * Kubernetes and Compose must wait longer than a service's own shutdown may take, or they
 * SIGKILL it mid-call or mid-upload. A service takes at most SHUTDOWN_GRACE_MS plus its closing
 * margin: the API 3 s to answer refused uploads (STOP_MARGIN_MS) + 5 s to close Redis
 * (CLOSE_MARGIN_MS in its main.ts); the worker 5 s (CLOSE_MARGIN_MS in its main.ts).
 */
const ROOT = resolve(__dirname, '../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const CLOSING_S = { api: 8, worker: 5 };
const DEFAULT_GRACE_MS = envSchema.parse({}).SHUTDOWN_GRACE_MS;

interface Container {
  env?: Array<{ name: string; value?: string }>;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
}
interface Deployment {
  spec: { template: { spec: { terminationGracePeriodSeconds?: number; containers: Container[] } } };
}

const graceSeconds = (env: Array<{ name: string; value?: string }> | Record<string, string> | undefined) => {
  const value = Array.isArray(env) ? env.find((e) => e.name === 'SHUTDOWN_GRACE_MS')?.value : env?.SHUTDOWN_GRACE_MS;
  return Number(value ?? DEFAULT_GRACE_MS) / 1000;
};

describe('shutdown grace in the deploy files', () => {
  it.each([
    ['api', 'deploy/k8s/api-deployment.yaml'],
    ['worker', 'deploy/k8s/worker-deployment.yaml'],
  ] as const)('when Kubernetes stops the %s, then it waits for preStop, the grace and the closing margin', (service, file) => {
    const pod = (parseYaml(read(file)) as Deployment).spec.template.spec;
    const container = pod.containers[0]!;
    const command = container.lifecycle?.preStop?.exec?.command ?? [];
    const preStop = command[0] === 'sleep' ? Number(command[1]) : 0;
    const needed = preStop + graceSeconds(container.env) + CLOSING_S[service];
    expect(pod.terminationGracePeriodSeconds ?? 30).toBeGreaterThanOrEqual(needed);
  });

  it.each([
    ['api', 'ingest-api'],
    ['worker', 'refresh-worker'],
  ] as const)('when Compose stops the %s, then it waits for the grace and the closing margin', (service, name) => {
    const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; stop_grace_period?: string }>;
    };
    const s = compose.services[name]!;
    const period = /^(\d+)s$/.exec(s.stop_grace_period ?? '10s');
    expect(Number(period?.[1])).toBeGreaterThanOrEqual(graceSeconds(s.environment) + CLOSING_S[service]);
  });
});
