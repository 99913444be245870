#!/usr/bin/env node
// `npm run test:deploy [-- JEST_ARGS]`: the deploy files checked with the programs that will read
// them in production: promtool (rules and their unit tests, the Prometheus config), kubectl
// kustomize (both overlays), docker-compose config, then the jest suites that run a real
// Prometheus against the services (jest.deploy.config.js). Exits non-zero on the first failure.
//
// The programs are not npm packages. When one is missing and this runs as root on Debian, it is
// installed with apt-get (Debian's own packages, nothing else), once; otherwise the script names
// the packages to install and stops. Running it again installs nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each program, the Debian package that provides it, and what it is needed for. */
const TOOLS = [
  { bin: 'prometheus', pkg: 'prometheus', why: 'the scrape test runs a real Prometheus against the API and the worker' },
  { bin: 'promtool', pkg: 'prometheus', why: 'checks deploy/prometheus rules and runs their unit tests' },
  { bin: 'kubectl', pkg: 'kubernetes-client', why: 'renders deploy/k8s with kustomize' },
  { bin: 'docker-compose', pkg: 'docker-compose', why: 'validates docker-compose.yml (no Docker engine needed)' },
];

const found = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`test:deploy: \`${cmd} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
    process.exit(r.status || 1);
  }
}

function ensureTools() {
  const missing = TOOLS.filter((t) => !found(t.bin));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  for (const t of missing) console.log(`test:deploy: ${t.bin} is missing (${t.why})`);
  const canApt = process.getuid?.() === 0 && existsSync('/etc/debian_version') && found('apt-get');
  if (!canApt) {
    console.error(`test:deploy: install ${pkgs.join(', ')} (Debian/Ubuntu package names) and run it again`);
    process.exit(1);
  }
  console.log(`test:deploy: installing Debian's ${pkgs.join(', ')} with apt-get`);
  run('apt-get', ['update', '-qq']);
  run('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
}

ensureTools();
run('promtool', ['check', 'rules', 'deploy/prometheus/alerts.yml']);
run('promtool', ['test', 'rules', 'deploy/prometheus/alerts.test.yml']);
run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml']);
// the tracing Component, as an operator's overlay uses it: the base plus the component; the
// rendered Deployments must carry the OTLP endpoint
const tracingOverlay = mkdtempSync(join(root, '.data-tracing-'));
writeFileSync(join(tracingOverlay, 'kustomization.yaml'),
  'resources:\n  - ../deploy/k8s\ncomponents:\n  - ../deploy/k8s/optional/tracing\n');
const traced = spawnSync('kubectl', ['kustomize', tracingOverlay], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
rmSync(tracingOverlay, { recursive: true, force: true });
console.log('\n$ kubectl kustomize <base + deploy/k8s/optional/tracing> >/dev/null');
if (traced.status !== 0 || (traced.stdout.match(/OTEL_EXPORTER_OTLP_ENDPOINT/g) ?? []).length !== 2) {
  console.error('test:deploy: the tracing component does not render onto both Deployments');
  process.exit(1);
}
for (const overlay of ['deploy/k8s', 'deploy/k8s/optional']) {
  console.log(`\n$ kubectl kustomize ${overlay} >/dev/null`);
  const r = spawnSync('kubectl', ['kustomize', overlay], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error(`test:deploy: kubectl kustomize ${overlay} failed`);
    process.exit(1);
  }
}
run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
run(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', join(root, 'jest.deploy.config.js'), ...process.argv.slice(2)]);
