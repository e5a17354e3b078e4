// Pods whose containers run as real processes on the simulated kubelet's node (today: etcd
// containers, with the kubelet's runEtcd option). What a kubelet and container runtime do
// for such a pod, in miniature:
// - volumes are materialized under <rootDir>/pods/<uid>/volumes/<name> (directories 0700,
//   files 0600): Secret and ConfigMap contents, emptyDirs; a PersistentVolumeClaim is a
//   directory under <rootDir>/volumes/<namespace>/<claim> that outlives the pod, as a
//   PersistentVolume does (a replacement etcd-0 finds its data); hostPath is the path itself;
// - container paths are mapped by rewriting argv and env values: wherever a volumeMount's
//   mountPath starts a path (at the start of an argument, after `=`, `,`, `:`, `;`,
//   whitespace or a quote), it becomes the volume's directory on the node. A real runtime
//   bind-mounts instead; argv rewriting needs no mount namespace, no mount points created on
//   the host's /etc or /var, and no nsenter for exec, and it is exact for programs such as
//   etcd and etcdctl that take every path as a flag. A path a program builds itself or reads
//   from a file is not mapped;
// - `$(VAR)` references in command/args/env expand as Kubernetes expands them, env supports
//   value, fieldRef (pod name, namespace, uid, node, pod/host IP) and Secret/ConfigMap keys;
// - the pod shares the node's network namespace (like hostNetwork), so a wildcard listen URL
//   (0.0.0.0, [::]) in a --listen-*-urls flag binds the node address and loopback instead:
//   a pod's 0.0.0.0 means its own IP and loopback, not every address of the host;
// - the readiness probe (httpGet or tcpSocket) gates the Ready condition; the process is
//   restarted with a back-off when it exits (restartPolicy Always); its output goes to
//   <rootDir>/logs/<namespace>_<pod>_<uid>/<container>.log (0600), and the tail of a failed
//   run becomes the terminated state's message (terminationMessagePolicy FallbackToLogsOnError).
//
// The pieces live beside it: ./pod-spec.ts (types, the API port), ./pod-volumes.ts (volumes),
// ./container-env.ts (path mapping, $(VAR), env), ./probes.ts (readiness probes).
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { join, normalize } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { exitCodeOf, running, spawnGuarded, stopGuarded } from './process.js';
import type { ExecContainer, ExecRefusal, PreparedCommand } from './exec-server.js';
import type { ContainerSpec, PodLike, PodRuntimeDeps } from './pod-spec.js';
import { bindWildcards, expandVars, mapPaths, podField, type Mount } from './container-env.js';
import { probeHttp, probeTcp } from './probes.js';
import { materializeVolumes } from './pod-volumes.js';

/** The kubelet constructs RealPods with these; their home is ./pod-spec.ts. */
export type { ContainerSpec, PodLike, PodRuntimeDeps } from './pod-spec.js';

interface ContainerRun {
  spec: ContainerSpec;
  env: Record<string, string>;
  mounts: Mount[];
  child?: ChildProcess;
  startedAt?: string;
  ready: boolean;
  failures: number;
  restartCount: number;
  lastTerminated?: Record<string, unknown>;
  waitingReason: string;
  tail: string[];
  log?: WriteStream;
  timer?: NodeJS.Timeout;
}

const MAX_GRACE_MS = 10_000;
const TAIL_LINES = 20;

export class RealPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  private readonly dir: string;
  private readonly runs = new Map<string, ContainerRun>();
  private stopping = false;
  private started?: string;
  private volumesReady = false;
  private volumeError = '';
  private statusChain: Promise<void> = Promise.resolve();
  private retryTimer?: NodeJS.Timeout;
  private wasReady = false;

  constructor(
    readonly pod: PodLike,
    private readonly d: PodRuntimeDeps,
  ) {
    this.namespace = pod.metadata.namespace ?? 'default';
    this.name = pod.metadata.name;
    this.uid = pod.metadata.uid ?? `${this.namespace}-${this.name}`;
    this.dir = join(d.rootDir, 'pods', this.uid);
  }

  get ready(): boolean {
    return this.pod.spec.containers.every((c) => !this.d.runs(c) || this.runs.get(c.name)?.ready === true);
  }

  /** Materializes the volumes (retrying while a Secret is missing) and starts the containers. */
  start(): void {
    this.started = new Date().toISOString();
    this.pushStatus();
    void this.setUp();
  }

  private async setUp(): Promise<void> {
    if (this.stopping) return;
    let volumeDirs: Map<string, string>;
    try {
      volumeDirs = await materializeVolumes(this.pod, this.namespace, this.dir, this.d);
    } catch (err) {
      // A real kubelet retries MountVolume.SetUp until the Secret appears; so does this one.
      this.volumeError = (err as Error).message;
      this.pushStatus();
      this.retryTimer = setTimeout(() => void this.setUp(), 1000);
      return;
    }
    this.volumesReady = true;
    this.volumeError = '';
    for (const c of this.pod.spec.containers.filter((x) => this.d.runs(x))) {
      const mounts = (c.volumeMounts ?? []).flatMap((m) => {
        const dir = volumeDirs.get(m.name);
        if (!dir) return [];
        const mountPath = normalize(m.mountPath).replace(/\/$/, '');
        return [{ mountPath, hostPath: m.subPath ? join(dir, m.subPath) : dir }];
      });
      const run: ContainerRun = {
        spec: c,
        env: {},
        mounts,
        ready: false,
        failures: 0,
        restartCount: 0,
        waitingReason: 'ContainerCreating',
        tail: [],
      };
      try {
        run.env = await this.environment(c, mounts);
      } catch (err) {
        run.waitingReason = 'CreateContainerConfigError';
        run.lastTerminated = undefined;
        run.tail = [(err as Error).message];
        this.runs.set(c.name, run);
        this.pushStatus();
        this.retryTimer = setTimeout(() => {
          this.runs.delete(c.name);
          void this.setUp();
        }, 1000);
        return;
      }
      this.runs.set(c.name, run);
      this.launch(run);
    }
    this.pushStatus();
  }

  private async environment(c: ContainerSpec, mounts: Mount[]): Promise<Record<string, string>> {
    const env: Record<string, string> = { HOSTNAME: this.name };
    for (const e of c.env ?? []) {
      let v = e.value !== undefined ? expandVars(e.value, env) : '';
      const from = e.valueFrom;
      if (from?.fieldRef) v = podField(this.pod, from.fieldRef.fieldPath, this.d.address);
      const ref = from?.secretKeyRef ?? from?.configMapKeyRef;
      if (ref) {
        const isSecret = !!from?.secretKeyRef;
        const data = isSecret
          ? await this.d.secret(this.namespace, ref.name)
          : await this.d.configMap(this.namespace, ref.name);
        const bytes = data?.[ref.key];
        if (!bytes && !ref.optional) {
          const what = `${isSecret ? 'Secret' : 'ConfigMap'} ${this.namespace}/${ref.name}`;
          throw new Error(`couldn't find key ${ref.key} in ${what}`);
        }
        v = bytes?.toString('utf8') ?? '';
      }
      env[e.name] = mapPaths(v, mounts);
    }
    return env;
  }

  private processEnv(run: ContainerRun): NodeJS.ProcessEnv {
    // The node's PATH finds the binaries the image would carry (etcd, etcdctl, sh).
    return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...run.env };
  }

  private argvOf(run: ContainerRun, command: string[]): string[] {
    return command.map((a) => mapPaths(a, run.mounts));
  }

  private cwdOf(run: ContainerRun): string {
    return run.spec.workingDir ? mapPaths(run.spec.workingDir, run.mounts) : this.dir;
  }

  private launch(run: ContainerRun): void {
    if (this.stopping) return;
    const c = run.spec;
    const raw = [...(c.command ?? []), ...(c.args ?? [])].map((a) => expandVars(a, run.env));
    const argv = this.argvOf(run, raw).map((a) => bindWildcards(a, this.d.address));
    const logDir = join(this.d.rootDir, 'logs', `${this.namespace}_${this.name}_${this.uid}`);
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    const logFile = join(logDir, `${c.name}.log`);
    run.log ??= createWriteStream(logFile, { flags: 'a', mode: 0o600 });
    const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
    const child = spawnGuarded(argv, { cwd: this.cwdOf(run), env: this.processEnv(run), stdio });
    run.child = child;
    run.startedAt = new Date().toISOString();
    run.waitingReason = '';
    const onOutput = (chunk: Buffer): void => {
      run.log?.write(chunk);
      run.tail.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.length > 0),
      );
      if (run.tail.length > TAIL_LINES) run.tail.splice(0, run.tail.length - TAIL_LINES);
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.on('error', (err) => onOutput(Buffer.from(`${err.message}\n`)));
    child.on('close', (code, signal) => this.exited(run, child, exitCodeOf(code, signal)));
    this.pushStatus();
    this.scheduleProbe(run, 200);
  }

  private exited(run: ContainerRun, child: ChildProcess, exitCode: number): void {
    if (run.child !== child) return;
    run.child = undefined;
    if (run.timer) clearTimeout(run.timer);
    run.lastTerminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: run.startedAt,
      finishedAt: new Date().toISOString(),
      ...(exitCode !== 0 && run.tail.length ? { message: run.tail.join('\n').slice(-4096) } : {}),
    };
    this.setReady(run, false);
    if (this.stopping) return;
    run.restartCount++;
    run.waitingReason = 'CrashLoopBackOff';
    this.pushStatus();
    // The kubelet's back-off, shortened for a simulation: 1 s doubling up to 30 s.
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(run.failures, 5));
    run.failures++;
    run.timer = setTimeout(() => this.launch(run), delay);
  }

  private scheduleProbe(run: ContainerRun, delayMs: number): void {
    if (this.stopping) return;
    if (run.timer) clearTimeout(run.timer);
    run.timer = setTimeout(() => void this.probe(run), delayMs);
  }

  private portOf(run: ContainerRun, port: number | string): number {
    if (typeof port === 'number') return port;
    const named = run.spec.ports?.find((p) => p.name === port)?.containerPort;
    return named ?? Number(port);
  }

  private async probe(run: ContainerRun): Promise<void> {
    if (this.stopping || !run.child || !running(run.child)) return;
    const p = run.spec.readinessProbe;
    const timeoutMs = Math.max(1, p?.timeoutSeconds ?? 1) * 1000;
    let ok: boolean;
    if (p?.httpGet) {
      const g = p.httpGet;
      const host = g.host ?? this.d.address;
      const port = this.portOf(run, g.port);
      const path = g.path ?? '/';
      let code = await probeHttp(g.scheme ?? 'HTTP', host, port, path, timeoutMs);
      // etcd before 3.5.11 (Debian's is 3.4) has no /readyz; its /health answers the same question.
      if (code === 404 && path === '/readyz') {
        code = await probeHttp(g.scheme ?? 'HTTP', host, port, '/health', timeoutMs);
      }
      ok = code >= 200 && code < 400;
    } else if (p?.tcpSocket) {
      ok = await probeTcp(p.tcpSocket.host ?? this.d.address, this.portOf(run, p.tcpSocket.port), timeoutMs);
    } else {
      // No probe (or an exec probe, not simulated): Ready once started, as without a probe.
      ok = true;
    }
    if (!run.child) return;
    if (ok) {
      run.failures = 0;
      this.setReady(run, true);
    } else if (run.ready && ++run.failures >= (p?.failureThreshold ?? 3)) {
      this.setReady(run, false);
    }
    // Quick until Ready (a simulation need not wait 10 s), the probe's period after.
    this.scheduleProbe(run, run.ready ? Math.max(1, p?.periodSeconds ?? 10) * 1000 : 500);
  }

  private setReady(run: ContainerRun, ready: boolean): void {
    if (run.ready === ready) return;
    run.ready = ready;
    this.pushStatus();
    if (this.ready !== this.wasReady) {
      this.wasReady = this.ready;
      this.d.onReadyChange(this.pod);
    }
  }

  /** The exec target of a container, or why there is none. */
  execContainer(container: string): ExecContainer | ExecRefusal {
    const spec = this.pod.spec.containers.find((c) => c.name === container);
    if (!spec) return { code: 404, reason: 'NotFound', message: `container not found ("${container}")` };
    if (!this.d.runs(spec)) {
      const where = `container ${container} in pod ${this.namespace}/${this.name}`;
      const message = `${where} is simulated: no process runs in it to exec into`;
      return { code: 400, reason: 'BadRequest', message };
    }
    const run = this.runs.get(container);
    if (!run?.child || !running(run.child)) {
      return { code: 400, reason: 'BadRequest', message: `container ${container} is not running` };
    }
    return {
      prepare: (command: string[]): PreparedCommand => ({
        argv: this.argvOf(run, command),
        env: this.processEnv(run),
        cwd: this.cwdOf(run),
      }),
    };
  }

  /** The pids of the running container processes (tests check they end). */
  pids(): number[] {
    return [...this.runs.values()].flatMap((r) =>
      r.child?.pid !== undefined && running(r.child) ? [r.child.pid] : [],
    );
  }

  /** Stops every process (SIGTERM, SIGKILL after the grace period) and removes the pod's volumes. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const grace = Math.min(MAX_GRACE_MS, (this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
    await Promise.all(
      [...this.runs.values()].map(async (r) => {
        if (r.timer) clearTimeout(r.timer);
        if (r.child) await stopGuarded(r.child, grace);
        await new Promise<void>((resolve) => (r.log ? r.log.end(() => resolve()) : resolve()));
      }),
    );
    // Secret contents leave the disk with the pod (a real kubelet keeps them on tmpfs).
    rmSync(this.dir, { recursive: true, force: true });
    await this.statusChain;
  }

  private containerStatus(c: ContainerSpec): Record<string, unknown> {
    const base = { name: c.name, image: c.image ?? '', imageID: '' };
    if (!this.d.runs(c)) {
      const startedAt = this.started;
      return { ...base, ready: true, started: true, restartCount: 0, state: { running: { startedAt } } };
    }
    const run = this.runs.get(c.name);
    const last = run?.lastTerminated ? { lastState: { terminated: run.lastTerminated } } : {};
    if (run?.child && running(run.child)) {
      const state = { running: { startedAt: run.startedAt } };
      return { ...base, ready: run.ready, started: true, restartCount: run.restartCount, state, ...last };
    }
    const reason = run?.waitingReason || 'ContainerCreating';
    const message =
      reason === 'ContainerCreating'
        ? this.volumeError
        : reason === 'CreateContainerConfigError'
          ? run?.tail[0]
          : undefined;
    const waiting = { reason, ...(message ? { message } : {}) };
    const restartCount = run?.restartCount ?? 0;
    return { ...base, ready: false, started: false, restartCount, state: { waiting }, ...last };
  }

  private status(): Record<string, unknown> {
    const t = this.started ?? new Date().toISOString();
    const statuses = this.pod.spec.containers.map((c) => this.containerStatus(c));
    const allRunning = statuses.every((s) => 'running' in (s.state as object));
    const ready = this.ready ? 'True' : 'False';
    const cond = (type: string, s: string) => ({ type, status: s, lastTransitionTime: t });
    return {
      phase: this.volumesReady && allRunning ? 'Running' : 'Pending',
      hostIP: this.d.address,
      podIP: this.d.address,
      podIPs: [{ ip: this.d.address }],
      startTime: t,
      qosClass: 'BestEffort',
      conditions: [
        cond('PodScheduled', 'True'),
        cond('Initialized', 'True'),
        cond('ContainersReady', ready),
        cond('Ready', ready),
      ],
      containerStatuses: statuses,
    };
  }

  /** Status writes go out one at a time, in order; a failed write is superseded by the next. */
  private pushStatus(): void {
    const s = this.status();
    this.statusChain = this.statusChain.then(() => this.d.patchStatus(this.namespace, this.name, s).catch(() => {}));
  }
}
