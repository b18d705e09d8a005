// The deployment files (Dockerfile, docker-compose.yml, deploy/kubernetes/, deploy/systemd/) name
// the port, paths, command and timings the code serves and needs. No container engine or cluster
// runs here, so this reads them and checks them against the code: the status routes and port
// (src/telemetry/status-types.ts), the exit codes, the stop deadline, and each configuration
// they mount, validated by the real CLI. `systemd-analyze` checks the unit where it is installed.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_STATUS_PORT, STATUS_PATHS } from '../../src/telemetry/status-types.js';
import { EXIT } from '../../src/core/errors.js';
import { healthcheckCommand, instructions, parseCopy, parseDockerfile, type Stage } from './dockerfile.js';
import { configFacts, dockerBytes, kubernetesBytes, minimumMemoryBytes, validate, validateWithSecrets, type ConfigFacts } from './siphon-config.js';
import { parseUnit, timeSpanSeconds, value, values } from './systemd-unit.js';

const run = promisify(execFile);

// ---- what the code says ------------------------------------------------------------------------

/** The collector exits at the latest this long after the shutdown deadline (src/cli/commands/run.ts). */
function lastResortSeconds(): number {
  const match = /const LAST_RESORT_EXTRA_S = (\d+);/.exec(readFileSync('src/cli/commands/run.ts', 'utf8'));
  assert.ok(match, 'src/cli/commands/run.ts no longer defines LAST_RESORT_EXTRA_S: update this test with the stop deadline\'s last resort');
  return Number(match[1]);
}

/** How long a stop may take at most: the grace periods of every deployment must be longer. */
function longestStopSeconds(facts: ConfigFacts): number {
  return facts.shutdownTimeoutSeconds + lastResortSeconds();
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; engines: { node: string } };

// ---- small readers -----------------------------------------------------------------------------

type Tree = Record<string, unknown>;

function tree(v: unknown, what: string): Tree {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} should be a mapping`);
  return v as Tree;
}

function list(v: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(v), `${what} should be a list`);
  return v;
}

function text(v: unknown, what: string): string {
  assert.equal(typeof v, 'string', `${what} should be a string`);
  return v as string;
}

/** Whether `path` is `folder` or inside it (POSIX paths, as in the image, the pod, the host). */
function within(path: string, folder: string): boolean {
  const relative = posix.relative(folder, path);
  return relative === '' || (!relative.startsWith('..') && !posix.isAbsolute(relative));
}

function assertValid(result: { code: number; stdout: string; stderr: string }, what: string): void {
  assert.equal(result.code, EXIT.OK, `${what} should validate:\n${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /: valid \(/);
}

/** The facts every deployment's status endpoint must agree with. */
function assertListensForProbes(facts: ConfigFacts, what: string, hosts: string[]): void {
  assert.ok(facts.listen, `${what} should turn the status server on (globals.status_server.listen)`);
  assert.equal(facts.listen.port, DEFAULT_STATUS_PORT, `${what}: the status server's port`);
  assert.ok(hosts.includes(facts.listen.host), `${what}: the status server listens on ${facts.listen.host}, expected one of ${hosts.join(', ')}`);
}

// ---- the container image -----------------------------------------------------------------------

interface Image {
  stages: Stage[];
  final: Stage;
  workdir: string;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
  volumes: string[];
  user: string;
  /** Paths in the final image that a COPY put there, with the source (`build:` for another stage). */
  copied: Map<string, string>;
}

function readImage(): Image {
  const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
  const final = stages.at(-1)!;
  const one = (keyword: string): string[] => {
    const found = instructions(final, keyword);
    assert.ok(found.length > 0, `the final stage has no ${keyword}`);
    const last = found.at(-1)!;
    assert.ok(last.exec, `${keyword} (line ${last.line}) should be in exec form (["...", "..."]): SIGTERM must reach node, not a shell`);
    return last.exec;
  };
  const workdir = instructions(final, 'WORKDIR').at(-1)?.args ?? '/';
  const copied = new Map<string, string>();
  for (const copy of instructions(final, 'COPY').map(parseCopy)) {
    for (const source of copy.sources) {
      const destination = posix.resolve(workdir, copy.destination);
      const target = copy.sources.length > 1 || copy.destination.endsWith('/') ? posix.join(destination, posix.basename(source)) : destination;
      copied.set(target, copy.from !== undefined ? `${copy.from}:${source}` : source);
    }
  }
  const healthchecks = instructions(final, 'HEALTHCHECK');
  assert.equal(healthchecks.length, 1, 'the final stage should have one HEALTHCHECK');
  return {
    stages,
    final,
    workdir,
    entrypoint: one('ENTRYPOINT'),
    cmd: one('CMD'),
    healthcheck: healthcheckCommand(healthchecks[0]!),
    volumes: instructions(final, 'VOLUME').flatMap((i) => i.exec ?? i.args.split(/\s+/)),
    user: instructions(final, 'USER').at(-1)?.args ?? 'root',
    copied,
  };
}

/** The configuration path of `run --config PATH`. */
function configPathOf(command: string[], what: string): string {
  assert.equal(command[0], 'run', `${what} should run the collector: ${JSON.stringify(command)}`);
  const at = command.indexOf('--config');
  assert.ok(at > 0 && command[at + 1], `${what} should name the configuration with --config: ${JSON.stringify(command)}`);
  assert.ok(!command.includes('--once'), `${what}: a service runs without --once`);
  return command[at + 1]!;
}

/** The URL the health check asks, checked against the status server's route and port. */
function assertHealthUrl(command: string[], what: string): void {
  const url = new URL(text(command.at(-1), `${what}'s URL`));
  assert.ok(['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname), `${what} should ask the loopback, not ${url.hostname}`);
  assert.equal(Number(url.port), DEFAULT_STATUS_PORT, `${what}: port`);
  assert.equal(url.pathname, STATUS_PATHS.health, `${what}: path`);
}

test('the Dockerfile: two stages, production dependencies only, a non-root user, the state volume, the status port, /health, `siphon run --config`', async () => {
  const image = readImage();
  const engineMajor = Number(/(\d+)/.exec(pkg.engines.node)![1]);

  // Build stage: the dev dependencies compile; they are pruned before the final stage copies node_modules.
  assert.ok(image.stages.length >= 2, 'a multi-stage build');
  const build = image.stages.find((s) => s.name === 'build');
  assert.ok(build, 'a stage named build');
  const buildRuns = instructions(build, 'RUN').map((i) => i.args).join('\n');
  assert.match(buildRuns, /npm ci\b/, 'the build stage installs from the lock file');
  assert.match(buildRuns, /npm prune --omit=dev\b/, 'the build stage drops the dev dependencies');
  for (const stage of image.stages) {
    const match = /^node:(\d+)-[a-z0-9.-]+$/.exec(stage.image);
    assert.ok(match, `${stage.image}: an official node image pinned by major version (node:NN-variant)`);
    assert.ok(Number(match[1]) >= engineMajor, `${stage.image} is older than the engines field (${pkg.engines.node})`);
  }
  assert.equal(image.copied.get(posix.join(image.workdir, 'node_modules')), 'build:/src/node_modules', 'node_modules comes from the pruned build stage');
  assert.equal(instructions(image.final, 'RUN').filter((i) => /npm (ci|install)\b/.test(i.args)).length, 0, 'the final stage installs nothing');
  // package.json says "type": "module" (the compiled code is ESM) and holds the version.
  const holds = (path: string): boolean => [...image.copied.keys()].some((copied) => within(path, copied));
  for (const file of ['package.json', 'bin/siphon.js', 'dist/src']) assert.ok(holds(posix.join(image.workdir, file)), `the image should hold ${file}`);

  // A non-root user, by number (Kubernetes' runAsNonRoot can only check a numeric user).
  const uid = image.user.split(':')[0]!;
  assert.match(uid, /^\d+$/, `USER ${image.user} should be numeric`);
  assert.notEqual(Number(uid), 0, 'USER must not be root');

  // The command: node bin/siphon.js run --config PATH.
  assert.deepEqual(image.entrypoint, ['node', posix.join(image.workdir, 'bin/siphon.js')]);
  const configPath = configPathOf(image.cmd, 'CMD');
  assert.ok(posix.isAbsolute(configPath), 'the configuration path is absolute');

  // The status port and the health check.
  const exposed = instructions(image.final, 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
  assert.ok(exposed.includes(String(DEFAULT_STATUS_PORT)) || exposed.includes(`${DEFAULT_STATUS_PORT}/tcp`), `EXPOSE ${DEFAULT_STATUS_PORT}`);
  assert.equal(image.healthcheck[0], 'node');
  const script = image.copied.get(image.healthcheck[1]!);
  assert.ok(script && existsSync(script), `the health check script ${image.healthcheck[1]} is copied from the repository (${script})`);
  assertHealthUrl(image.healthcheck, 'HEALTHCHECK');
  const stopSignal = instructions(image.final, 'STOPSIGNAL').at(-1)?.args ?? 'SIGTERM';
  assert.equal(stopSignal, 'SIGTERM', 'the collector stops gracefully on SIGTERM');

  // The example configuration: it validates, listens where the health check asks, keeps its state on the volume.
  const example = readFileSync('deploy/config.example.yaml', 'utf8');
  assertValid(await validateWithSecrets(example), 'deploy/config.example.yaml');
  const facts = configFacts(example);
  assertListensForProbes(facts, 'deploy/config.example.yaml', ['0.0.0.0', '::']);
  assert.equal(image.volumes.length, 1, 'one volume: the state');
  const volume = image.volumes[0]!;
  assert.ok(facts.stateDirectory && within(facts.stateDirectory, volume), `the state folder ${facts.stateDirectory} should be on the volume ${volume}`);
  for (const file of facts.outputFiles) assert.ok(within(file, volume), `the output file ${file} should be on the volume ${volume} (the root file system is read-only)`);

  // The build context: .dockerignore lets in exactly what the Dockerfile copies from it.
  const ignore = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  assert.equal(ignore[0], '*', '.dockerignore starts by excluding everything');
  const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
  for (const stage of image.stages) {
    for (const copy of instructions(stage, 'COPY').map(parseCopy).filter((c) => c.from === undefined)) {
      for (const source of copy.sources) {
        const path = source.replace(/^\.\//, '').replace(/\/$/, '');
        assert.ok(existsSync(path), `COPY ${source}: not in the repository`);
        assert.ok(allowed.some((a) => within(path, a)), `COPY ${source}: .dockerignore keeps it out of the build context`);
      }
    }
  }
});

/** The packages `npm prune --omit=dev` keeps: those package-lock.json does not mark dev-only. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !path.slice('node_modules/'.length).includes('node_modules/') && entry.dev !== true)
    .map(([path]) => path.slice('node_modules/'.length));
}

test('the final stage\'s files, with the production dependencies only, run the CLI: no runtime import of a dev dependency, nothing missing', async (t) => {
  const image = readImage();
  const build = image.stages.find((s) => s.name === 'build')!;
  const buildWorkdir = instructions(build, 'WORKDIR').at(-1)?.args ?? '/';
  // The final stage's COPYs, into a folder standing for the image's root; the build stage's
  // output is this repository's (compiled by the test run's `tsc`).
  const root = mkdtempSync(join(tmpdir(), 'siphon-image-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [target, source] of image.copied) {
    const fromBuild = source.startsWith('build:');
    const local = fromBuild ? posix.relative(buildWorkdir, source.slice('build:'.length)) : source;
    if (fromBuild && local === 'node_modules') {
      // What `npm prune --omit=dev` leaves, linked from the shared install.
      for (const name of productionPackages()) {
        const link = join(root, target, name);
        mkdirSync(join(link, '..'), { recursive: true });
        symlinkSync(resolve('node_modules', name), link, 'dir');
      }
      continue;
    }
    assert.ok(existsSync(local), `COPY ${source}: ${local} is not in the repository (after the build)`);
    cpSync(local, join(root, target), { recursive: true });
  }
  const entry = join(root, image.entrypoint[1]!);
  const version = await run(process.execPath, [entry, '--version'], { encoding: 'utf8' });
  assert.equal(version.stdout.trim(), pkg.version, 'the image finds its package.json');
  const example = join(root, 'config.yaml');
  const secrets = join(root, 'secrets');
  mkdirSync(secrets);
  writeFileSync(join(secrets, 'op_token'), 'placeholder\n');
  writeFileSync(example, readFileSync('deploy/config.example.yaml', 'utf8').replaceAll('${file:/run/secrets/', '${file:' + secrets + '/'));
  const validated = await run(process.execPath, [entry, 'validate', '--config', example], { encoding: 'utf8' });
  assert.match(validated.stdout, /: valid \(/);
});

test('the health check script exits 0 when the URL answers 2xx, and 1 when it answers otherwise or not at all', async () => {
  const server: Server = createServer((request, response) => {
    response.writeHead(request.url === STATUS_PATHS.health ? 200 : 503, { 'content-type': 'text/plain' });
    response.end(request.url === STATUS_PATHS.health ? 'ok\n' : 'not ready\n');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const check = async (url: string): Promise<{ code: number; stderr: string }> => {
    try {
      await run(process.execPath, ['deploy/docker/healthcheck.mjs', url], { encoding: 'utf8' });
      return { code: 0, stderr: '' };
    } catch (err) {
      // execFile's error carries the exit code and the output.
      const failed = err as { code: number; stderr: string };
      return { code: failed.code, stderr: failed.stderr };
    }
  };
  try {
    assert.equal((await check(`http://127.0.0.1:${port}${STATUS_PATHS.health}`)).code, 0);
    const notReady = await check(`http://127.0.0.1:${port}${STATUS_PATHS.ready}`);
    assert.equal(notReady.code, 1);
    assert.match(notReady.stderr, /answered HTTP 503/);
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
  // The port is closed now: refused.
  const refused = await check(`http://127.0.0.1:${port}${STATUS_PATHS.health}`);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /ECONNREFUSED/);
  assert.equal((await check('')).code, 1, 'without a URL it fails, saying how to use it');
});

// ---- docker compose ----------------------------------------------------------------------------

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** Compose's short volume syntax, "source:target[:ro]". */
function composeMount(entry: unknown): Mount {
  const [source, target, mode] = text(entry, 'a compose volume').split(':');
  assert.ok(source && target, `cannot read the compose volume ${String(entry)}`);
  return { source, target, readOnly: mode?.split(',').includes('ro') ?? false };
}

test('docker-compose.yml: the image\'s command, the status port on the host\'s loopback, read-only configuration and certificates, the secrets the configuration reads, the stop grace period', async () => {
  const image = readImage();
  const compose = tree(parse(readFileSync('docker-compose.yml', 'utf8')), 'docker-compose.yml');
  const service = tree(tree(compose.services, 'services').siphon, 'services.siphon');

  assert.equal(service.image, `siphon:${pkg.version}`, 'the image is tagged with the package version');
  const command = service.command === undefined ? image.cmd : list(service.command, 'command').map((c) => text(c, 'command'));
  assert.deepEqual(command, image.cmd, 'the compose command is the image\'s CMD (`docker run` and the documentation mount the configuration there)');
  const configPath = configPathOf(command, 'the compose command');
  assert.equal(service.read_only, true, 'a read-only root file system, as in Kubernetes');

  // The status port: published on the host's loopback (the example sets no token).
  const ports = list(service.ports, 'ports').map((p) => text(p, 'a port'));
  assert.ok(ports.includes(`127.0.0.1:${DEFAULT_STATUS_PORT}:${DEFAULT_STATUS_PORT}`), `ports should publish ${DEFAULT_STATUS_PORT} on 127.0.0.1: ${ports.join(', ')}`);

  // Volumes: the configuration read-only at the command's path, the state volume at the image's VOLUME.
  const mounts = list(service.volumes, 'volumes').map(composeMount);
  const config = mounts.find((m) => m.target === configPath);
  assert.ok(config, `a volume should mount the configuration at ${configPath}`);
  assert.ok(config.readOnly, 'the configuration is mounted read-only');
  const state = mounts.find((m) => m.target === image.volumes[0]);
  assert.ok(state, `a volume at the image's state volume ${image.volumes[0]}`);
  assert.ok(Object.hasOwn(tree(compose.volumes, 'volumes'), state.source), `the state volume ${state.source} is a named volume`);
  for (const mount of mounts) if (mount !== state) assert.ok(mount.readOnly, `${mount.target} should be read-only`);

  // The configuration it mounts: valid, listening where the health check asks, state on the volume.
  const configText = readFileSync(config.source, 'utf8');
  assertValid(await validateWithSecrets(configText), config.source);
  const facts = configFacts(configText);
  assertListensForProbes(facts, config.source, ['0.0.0.0', '::']);
  assert.ok(facts.stateDirectory && within(facts.stateDirectory, state.target), `the state folder ${facts.stateDirectory} should be on ${state.target}`);

  // Every file it reads is mounted: /run/secrets/NAME from a declared secret, the rest from a read-only mount.
  const granted = list(service.secrets, 'secrets').map((s) => (typeof s === 'string' ? s : text(tree(s, 'a secret').source, 'secret source')));
  const declared = tree(compose.secrets, 'secrets');
  assert.ok(facts.filesRead.length > 0, 'the configuration reads its token from a file');
  for (const { path, setting } of facts.filesRead) {
    if (within(path, '/run/secrets')) {
      const name = posix.relative('/run/secrets', path);
      assert.ok(granted.includes(name), `${setting} reads ${path}: the service should be granted the secret ${name}`);
      assert.ok(Object.hasOwn(declared, name), `${setting} reads ${path}: the secret ${name} should be declared`);
    } else {
      assert.ok(mounts.some((m) => m.readOnly && m !== config && within(path, m.target)), `${setting} reads ${path}: no read-only mount provides it`);
    }
  }

  // The health check, the stop, the memory.
  const healthcheck = tree(service.healthcheck, 'healthcheck');
  assert.deepEqual(healthcheck.test, ['CMD', ...image.healthcheck], 'the same health check as the image');
  assertHealthUrl(image.healthcheck, 'the compose health check');
  const grace = timeSpanSeconds(text(service.stop_grace_period, 'stop_grace_period'));
  assert.ok(grace > longestStopSeconds(facts), `stop_grace_period ${grace} s should exceed shutdown_timeout_seconds + ${lastResortSeconds()} s = ${longestStopSeconds(facts)} s`);
  assert.equal(service.stop_signal ?? 'SIGTERM', 'SIGTERM');
  const memory = dockerBytes(text(service.mem_limit, 'mem_limit'));
  assert.ok(memory >= minimumMemoryBytes(facts), `mem_limit ${String(service.mem_limit)} should be at least 2 x queue_max_size_in_mb + 256 MiB`);
});

// ---- Kubernetes --------------------------------------------------------------------------------

const KINDS: Record<string, string> = { Namespace: 'v1', ConfigMap: 'v1', Secret: 'v1', Service: 'v1', StatefulSet: 'apps/v1' };

function readManifests(folder: string): Tree[] {
  const documents: Tree[] = [];
  for (const name of readdirSync(folder).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const document of parseAllDocuments(readFileSync(join(folder, name), 'utf8'))) {
      assert.deepEqual(document.errors, [], `${folder}/${name} is not valid YAML`);
      const object = tree(document.toJS(), `${folder}/${name}`);
      const kind = text(object.kind, `${name}: kind`);
      assert.equal(object.apiVersion, KINDS[kind], `${name}: ${kind} should have apiVersion ${KINDS[kind]}`);
      text(tree(object.metadata, `${name}: metadata`).name, `${name}: metadata.name`);
      documents.push(object);
    }
  }
  return documents;
}

function named(objects: Tree[], kind: string, name?: string): Tree {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || tree(o.metadata, 'metadata').name === name));
  assert.equal(found.length, 1, `one ${kind}${name ? ` named ${name}` : ''}`);
  return found[0]!;
}

test('Kubernetes: a one-replica StatefulSet probing /health and /ready on the status port, scraped by Prometheus, running the ConfigMap\'s configuration with its state on the claimed volume and its secrets from the Secret', async () => {
  const objects = readManifests('deploy/kubernetes');
  const template = readManifests('deploy/kubernetes/secret-template');
  const namespace = text(tree(named(objects, 'Namespace').metadata, 'metadata').name, 'namespace');
  for (const object of [...objects, ...template].filter((o) => o.kind !== 'Namespace')) {
    assert.equal(tree(object.metadata, 'metadata').namespace, namespace, `${String(object.kind)} should be in the namespace ${namespace}`);
  }

  const statefulSet = named(objects, 'StatefulSet');
  const spec = tree(statefulSet.spec, 'spec');
  assert.equal(spec.replicas, 1, 'one replica: one collector per state volume');
  assert.equal(tree(spec.updateStrategy, 'updateStrategy').type, 'RollingUpdate');
  assert.equal(spec.podManagementPolicy ?? 'OrderedReady', 'OrderedReady');
  const pod = tree(spec.template, 'template');
  const podMeta = tree(pod.metadata, 'template.metadata');
  const labels = tree(podMeta.labels, 'pod labels');
  for (const [k, v] of Object.entries(tree(tree(spec.selector, 'selector').matchLabels, 'matchLabels'))) assert.equal(labels[k], v, `the selector's ${k} matches the pod`);

  // Prometheus' annotations.
  assert.deepEqual(podMeta.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(DEFAULT_STATUS_PORT), 'prometheus.io/path': STATUS_PATHS.metrics });

  const podSpec = tree(pod.spec, 'pod spec');
  const containers = list(podSpec.containers, 'containers');
  assert.equal(containers.length, 1);
  const container = tree(containers[0], 'container');
  assert.equal(container.image, `registry.example.com/siphon:${pkg.version}`, 'the image is tagged with the package version');
  const portNames = new Map(list(container.ports, 'ports').map((p) => [text(tree(p, 'port').name, 'port name'), tree(p, 'port').containerPort]));
  const portOf = (port: unknown): unknown => (typeof port === 'string' ? portNames.get(port) : port);
  assert.deepEqual([...portNames.values()], [DEFAULT_STATUS_PORT], 'the container exposes the status port');

  // Probes: liveness and start-up on /health, readiness on /ready, all on the status port.
  const probe = (name: string): Tree => tree(tree(container[name], name).httpGet, `${name}.httpGet`);
  for (const [name, path] of [['livenessProbe', STATUS_PATHS.health], ['startupProbe', STATUS_PATHS.health], ['readinessProbe', STATUS_PATHS.ready]] as const) {
    assert.equal(probe(name).path, path, `${name}: path`);
    assert.equal(portOf(probe(name).port), DEFAULT_STATUS_PORT, `${name}: port`);
  }

  // Security: non-root, read-only root file system, no privilege escalation, no capabilities.
  const podSecurity = tree(podSpec.securityContext, 'pod securityContext');
  const containerSecurity = tree(container.securityContext, 'container securityContext');
  assert.equal(podSecurity.runAsNonRoot, true);
  assert.ok(typeof podSecurity.runAsUser === 'number' && podSecurity.runAsUser > 0, 'runAsUser: a non-root uid');
  assert.equal(podSecurity.runAsUser, Number(readImage().user.split(':')[0]), 'the image\'s user');
  assert.equal(podSecurity.fsGroup, podSecurity.runAsGroup, 'the claimed volume is writable by the collector\'s group');
  assert.equal(containerSecurity.readOnlyRootFilesystem, true);
  assert.equal(containerSecurity.allowPrivilegeEscalation, false);
  assert.deepEqual(tree(containerSecurity.capabilities, 'capabilities').drop, ['ALL']);
  assert.equal(podSpec.automountServiceAccountToken, false, 'no Kubernetes API token in the pod');

  // Mounts: where each volume is, and what it holds.
  const volumes = new Map(list(podSpec.volumes, 'volumes').map((v) => [text(tree(v, 'volume').name, 'volume name'), tree(v, 'volume')]));
  const claims = list(spec.volumeClaimTemplates, 'volumeClaimTemplates').map((c) => text(tree(tree(c, 'claim').metadata, 'claim metadata').name, 'claim name'));
  const mounts = list(container.volumeMounts, 'volumeMounts').map((m) => {
    const mount = tree(m, 'volumeMount');
    const name = text(mount.name, 'mount name');
    assert.equal(mount.subPath, undefined, `${name}: no subPath`);
    return { name, path: text(mount.mountPath, 'mountPath'), readOnly: mount.readOnly === true, volume: volumes.get(name), claimed: claims.includes(name) };
  });
  for (const mount of mounts) assert.ok(mount.volume || mount.claimed, `the mount ${mount.name} has no volume`);

  // The command and its configuration: the ConfigMap's key, at the mount path + file name.
  const args = list(container.args, 'args').map((a) => text(a, 'arg'));
  assert.deepEqual(args, readImage().cmd, 'the container runs the image\'s CMD');
  assert.equal(container.command, undefined, 'the image\'s ENTRYPOINT (node bin/siphon.js) is kept');
  const configPath = configPathOf(args, 'the container args');
  const configMount = mounts.find((m) => m.volume?.configMap !== undefined && within(configPath, m.path));
  assert.ok(configMount, `no ConfigMap volume is mounted where ${configPath} is`);
  assert.ok(configMount.readOnly, 'the configuration is mounted read-only');
  const configMapName = text(tree(configMount.volume!.configMap, 'configMap').name, 'configMap name');
  const configText = text(tree(named(objects, 'ConfigMap', configMapName).data, 'data')[posix.relative(configMount.path, configPath)], `the ConfigMap ${configMapName}'s key ${posix.relative(configMount.path, configPath)}`);

  assertValid(await validateWithSecrets(configText), `the ConfigMap ${configMapName}'s configuration`);
  const facts = configFacts(configText);
  assertListensForProbes(facts, `the ConfigMap ${configMapName}'s configuration`, ['0.0.0.0', '::']);

  // State on the claimed volume, never on the read-only root.
  const stateMount = mounts.find((m) => m.claimed && facts.stateDirectory !== undefined && within(facts.stateDirectory, m.path));
  assert.ok(stateMount, `the state folder ${facts.stateDirectory} should be on a volumeClaimTemplates volume`);
  assert.ok(!stateMount.readOnly);
  for (const file of facts.outputFiles) assert.ok(mounts.some((m) => !m.readOnly && within(file, m.path)), `the output file ${file} is on no writable volume`);

  // Every file the configuration reads is a key of the Secret (or ConfigMap) mounted where it looks.
  assert.ok(facts.filesRead.length > 0, 'the configuration reads its token from a file');
  for (const { path, setting } of facts.filesRead) {
    const mount = mounts.find((m) => m.volume !== undefined && within(path, m.path));
    assert.ok(mount && mount.readOnly, `${setting} reads ${path}: no read-only Secret or ConfigMap volume is mounted there`);
    const key = posix.relative(mount.path, path);
    const secretName = tree(mount.volume!.secret ?? {}, 'secret').secretName;
    if (secretName !== undefined) {
      const secret = named(template, 'Secret', text(secretName, 'secretName'));
      const data = { ...tree(secret.stringData ?? {}, 'stringData'), ...tree(secret.data ?? {}, 'data') };
      assert.ok(Object.hasOwn(data, key), `${setting} reads ${path}: the Secret template ${String(secretName)} should have the key ${key}`);
    } else {
      const configMap = named(objects, 'ConfigMap', text(tree(mount.volume!.configMap, 'configMap').name, 'configMap name'));
      assert.ok(Object.hasOwn(tree(configMap.data, 'data'), key), `${setting} reads ${path}: the ConfigMap should have the key ${key}`);
    }
  }
  // The template holds placeholders only, and is not among the manifests applied with `kubectl apply -f deploy/kubernetes/`.
  assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0, 'no Secret among the applied manifests');
  for (const secret of template) {
    for (const [key, v] of Object.entries(tree(secret.stringData, 'stringData'))) assert.match(text(v, key), /^REPLACE-/, `the Secret template's ${key} should be a placeholder`);
  }

  // Stop and memory.
  assert.ok(
    typeof podSpec.terminationGracePeriodSeconds === 'number' && podSpec.terminationGracePeriodSeconds > longestStopSeconds(facts),
    `terminationGracePeriodSeconds should exceed shutdown_timeout_seconds + ${lastResortSeconds()} s = ${longestStopSeconds(facts)} s`,
  );
  const limits = tree(tree(container.resources, 'resources').limits, 'limits');
  assert.ok(kubernetesBytes(text(limits.memory, 'memory limit')) >= minimumMemoryBytes(facts), `the memory limit ${String(limits.memory)} should be at least 2 x queue_max_size_in_mb + 256 MiB`);

  // The governing Service: headless, same pods, the status port.
  const service = named(objects, 'Service', text(spec.serviceName, 'serviceName'));
  const serviceSpec = tree(service.spec, 'Service spec');
  assert.equal(serviceSpec.clusterIP, 'None', 'the StatefulSet\'s Service is headless');
  for (const [k, v] of Object.entries(tree(serviceSpec.selector, 'Service selector'))) assert.equal(labels[k], v, `the Service's selector ${k} matches the pod`);
  const servicePorts = list(serviceSpec.ports, 'Service ports').map((p) => tree(p, 'Service port'));
  assert.ok(servicePorts.some((p) => p.port === DEFAULT_STATUS_PORT && portOf(p.targetPort ?? p.port) === DEFAULT_STATUS_PORT), 'the Service carries the status port');
});

// ---- systemd -----------------------------------------------------------------------------------

const UNIT_FILE = 'deploy/systemd/siphon.service';

test('the systemd unit: `siphon run --config` from /etc, state in its StateDirectory, restarts except on a configuration error, a stop timeout beyond the deadline, the sandbox', async () => {
  const unit = parseUnit(readFileSync(UNIT_FILE, 'utf8'));
  const service = (key: string): string | undefined => value(unit, 'Service', key);

  // The command: absolute node, the installed package, run --config PATH under the ConfigurationDirectory.
  const command = text(service('ExecStart'), 'ExecStart').split(/\s+/);
  assert.ok(posix.isAbsolute(command[0]!) && posix.basename(command[0]!) === 'node', `ExecStart starts node by absolute path: ${command[0]}`);
  assert.match(command[1]!, /^\/.+\/bin\/siphon\.js$/, 'the installed package\'s bin/siphon.js');
  const configPath = configPathOf(command.slice(2), 'ExecStart');
  const configurationDirectory = `/etc/${text(service('ConfigurationDirectory'), 'ConfigurationDirectory')}`;
  assert.ok(within(configPath, configurationDirectory), `the configuration ${configPath} should be in ConfigurationDirectory ${configurationDirectory}`);
  const user = service('User');
  assert.ok(user && user !== 'root' && user !== '0', 'User= names a user that is not root');

  // The configuration for this unit.
  const configText = readFileSync('deploy/systemd/config.example.yaml', 'utf8');
  assertValid(await validateWithSecrets(configText), 'deploy/systemd/config.example.yaml');
  const facts = configFacts(configText);
  assertListensForProbes(facts, 'deploy/systemd/config.example.yaml', ['127.0.0.1', '::1', 'localhost']);
  const stateDirectory = `/var/lib/${text(service('StateDirectory'), 'StateDirectory')}`;
  assert.ok(facts.stateDirectory && within(facts.stateDirectory, stateDirectory), `the state folder ${facts.stateDirectory} should be in StateDirectory ${stateDirectory}`);
  // ProtectSystem=strict: only these are writable.
  const writable = [stateDirectory, ...values(unit, 'Service', 'LogsDirectory').map((d) => `/var/log/${d}`), ...values(unit, 'Service', 'ReadWritePaths').flatMap((p) => p.split(/\s+/))];
  for (const file of facts.outputFiles) assert.ok(writable.some((w) => within(file, w)), `the output file ${file} is not writable under ProtectSystem=strict (${writable.join(', ')})`);
  for (const { path, setting } of facts.filesRead) assert.ok(within(path, configurationDirectory), `${setting} reads ${path}, outside ${configurationDirectory}`);

  // Restarts: on failure, paced, never for an invalid configuration.
  assert.equal(service('Restart'), 'on-failure');
  assert.ok(timeSpanSeconds(text(service('RestartSec'), 'RestartSec')) >= 5, 'RestartSec paces the restarts');
  assert.ok(values(unit, 'Service', 'RestartPreventExitStatus').flatMap((v) => v.split(/\s+/)).includes(String(EXIT.CONFIG)), `RestartPreventExitStatus includes ${EXIT.CONFIG} (invalid configuration)`);

  // Stop: SIGTERM, and time for the deadline and its last resort.
  assert.equal(service('KillSignal') ?? 'SIGTERM', 'SIGTERM');
  const stopTimeout = timeSpanSeconds(text(service('TimeoutStopSec'), 'TimeoutStopSec'));
  assert.ok(stopTimeout > longestStopSeconds(facts), `TimeoutStopSec ${stopTimeout} s should exceed shutdown_timeout_seconds + ${lastResortSeconds()} s = ${longestStopSeconds(facts)} s`);
  assert.ok(service('LimitNOFILE'), 'LimitNOFILE is set');

  // The sandbox.
  const expected: Record<string, string> = {
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    ProtectKernelTunables: 'yes',
    ProtectKernelModules: 'yes',
    ProtectKernelLogs: 'yes',
    ProtectControlGroups: 'yes',
    RestrictNamespaces: 'yes',
    RestrictSUIDSGID: 'yes',
    LockPersonality: 'yes',
    CapabilityBoundingSet: '',
    SystemCallArchitectures: 'native',
  };
  for (const [key, want] of Object.entries(expected)) assert.equal(service(key), want, `${key}=${want}`);
  const families = values(unit, 'Service', 'RestrictAddressFamilies').flatMap((v) => v.split(/\s+/));
  for (const family of ['AF_INET', 'AF_INET6', 'AF_UNIX']) assert.ok(families.includes(family), `RestrictAddressFamilies allows ${family} (AF_UNIX: the state lock's socket)`);
  assert.ok(values(unit, 'Service', 'SystemCallFilter').includes('@system-service'), 'SystemCallFilter=@system-service');
  assert.ok(service('SystemCallErrorNumber'), 'a filtered system call fails with an error rather than killing node');
  assert.notEqual(service('MemoryDenyWriteExecute'), 'yes', 'MemoryDenyWriteExecute breaks V8\'s JIT');
});

/** `systemd-analyze`, where this machine has it. */
function systemdAnalyze(): string | undefined {
  for (const path of ['/usr/bin/systemd-analyze', '/bin/systemd-analyze']) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not there: the next.
    }
  }
  return undefined;
}

const analyze = systemdAnalyze();
const noAnalyze = analyze === undefined ? 'systemd-analyze is not installed (Debian\'s systemd package)' : false;

/** The unit as systemd-analyze needs it here: its own name, and an ExecStart program that exists on this machine. */
function unitForThisMachine(t: TestContext): { path: string; note: string } {
  const dir = mkdtempSync(join(tmpdir(), 'siphon-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'siphon.service');
  copyFileSync(UNIT_FILE, path);
  const node = text(value(parseUnit(readFileSync(UNIT_FILE, 'utf8')), 'Service', 'ExecStart'), 'ExecStart').split(/\s+/)[0]!;
  if (existsSync(node)) return { path, note: '' };
  // The unit names the node of its install layout; verify checks that the program exists.
  writeFileSync(path, readFileSync(UNIT_FILE, 'utf8').replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
  return { path, note: ` (ExecStart's ${node} is not on this machine: checked with ${process.execPath} in its place)` };
}

test('systemd-analyze verify has nothing to say about the unit', { skip: noAnalyze }, async (t) => {
  const { path, note } = unitForThisMachine(t);
  const result = await run(analyze!, ['verify', path], { encoding: 'utf8' }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    // execFile's error carries the exit code and the output.
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
  );
  // verify exits 0 even for unknown keys or values it ignores: any output is a finding.
  assert.equal(result.output.trim(), '', `systemd-analyze verify${note}:\n${result.output}`);
  assert.equal(result.code, 0);
});

test('systemd-analyze security rates the unit\'s exposure at 2.0 or less', { skip: noAnalyze }, async (t) => {
  const { path } = unitForThisMachine(t);
  // --threshold is on a 0..100 scale (the printed level times 10); it exits 1 above it.
  const result = await run(analyze!, ['security', '--offline=true', '--threshold=20', '--no-pager', path], { encoding: 'utf8' }).then(
    (r) => ({ code: 0, output: r.stdout }),
    // execFile's error carries the exit code and the output.
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
  );
  const level = /Overall exposure level for siphon\.service: ([\d.]+)/.exec(result.output)?.[1];
  assert.ok(level, `no exposure level in:\n${result.output}`);
  assert.equal(result.code, 0, `exposure ${level} is above 2.0:\n${result.output.split('\n').filter((l) => l.includes('✗')).join('\n')}`);
});

// ---- the documentation -------------------------------------------------------------------------

test('docs/operations.md explains each way to deploy, naming the files', () => {
  const page = readFileSync('docs/operations.md', 'utf8');
  const section = page.slice(page.indexOf('\n## Deploying'));
  assert.ok(page.includes('\n## Deploying'), 'a "Deploying" section');
  for (const name of ['Dockerfile', 'docker-compose.yml', 'deploy/config.example.yaml', 'deploy/kubernetes/', 'deploy/systemd/siphon.service', 'deploy/systemd/config.example.yaml']) {
    assert.ok(section.includes(name), `the Deploying section names ${name}`);
  }
});

test('a configuration whose secret file is missing does not validate: the checks above are not vacuous', async () => {
  const example = readFileSync('deploy/config.example.yaml', 'utf8');
  const secret = configFacts(example).filesRead.find((f) => f.setting.endsWith('token'));
  assert.ok(secret, 'the example reads its token from a file');
  if (existsSync(secret.path)) return; // This machine happens to have it: nothing to show.
  const result = await validate(example);
  assert.equal(result.code, EXIT.CONFIG);
  assert.ok((result.stdout + result.stderr).includes(secret.path), `the error names ${secret.path}:\n${result.stdout}${result.stderr}`);
});
