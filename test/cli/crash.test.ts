// Errors nothing caught: the real binary turns them into one redacted `error:` line; an
// uncaught exception or a one-shot command's unhandled rejection exits non-zero, a
// long-lived command logs the rejection and keeps running. The failure is injected by a
// module loaded with `node --import` ahead of the binary (fixtures/crash-trigger.mjs).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_EXIT_CODE, commandMode, crashHandlers, crashLine } from '../../src/cli/crash.js';
import { UserError } from '../../src/core/errors.js';
import { REDACTED } from '../../src/engine/log/redact.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';

const root = resolve(import.meta.dirname, '..', '..');
const trigger = resolve(import.meta.dirname, 'fixtures', 'crash-trigger.mjs');
const SECRET = 'S3cret-not-for-logs-7f3a9c';

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', trigger, 'bin/scale-tui.js', ...args],
      { cwd: root, env: { ...process.env, CRASH_SECRET: SECRET, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number; signal?: string }) | null;
        const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
        done({ code, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });
}

const errorLines = (text: string) => text.split('\n').filter((l) => l.startsWith('error:'));
/** What the trigger's error must come out as. */
const REDACTED_MESSAGE = `etcdctl --user=root:${REDACTED} role list failed | ETCDCTL_PASSWORD=${REDACTED}`;

describe('the real binary with an error nothing caught', () => {
  let dir: string;
  let api: ApiServerHandle | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-crash-'));
  });
  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one-shot command, unhandled rejection: one redacted error line and a non-zero exit', async () => {
    const r = await cli(['config', '--defaults'], { CRASH_TRIGGER: 'rejection' });
    expect(r.code).toBe(CRASH_EXIT_CODE);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout).not.toContain('crash-trigger: still running');
    expect(errorLines(r.stderr)).toEqual([`error: unhandled rejection: ${REDACTED_MESSAGE}`]);
    // No stack trace, no dump of the error's properties.
    expect(r.stderr).not.toMatch(/\n\s+at |rootPassword/);
  }, 60_000);

  it('uncaught exception: one redacted error line and a non-zero exit', async () => {
    const r = await cli(['config', '--defaults'], { CRASH_TRIGGER: 'exception' });
    expect(r.code).toBe(CRASH_EXIT_CODE);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(errorLines(r.stderr)).toEqual([`error: uncaught exception: ${REDACTED_MESSAGE}`]);
  }, 60_000);

  it('long-lived command (fake-controller), unhandled rejection: logged, redacted, and it keeps running', async () => {
    api = await startApiServer({ name: 'crash-test' });
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml, { mode: 0o600 });
    // The rejection comes once fake-controller watches; the trigger then stops it with SIGTERM.
    const r = await cli(['fake-controller', '--kubeconfig', kubeconfig], {
      CRASH_TRIGGER: 'rejection',
      CRASH_AFTER_OUTPUT: 'fake-controller: watching',
    });
    expect(r.stdout).toMatch(/fake-controller: watching Metal3Machines/);
    expect(r.stdout).toContain('crash-trigger: still running');
    // It shut down the normal way, on the signal, after the rejection.
    expect(r.stdout).toMatch(/fake-controller: stopped after creating 0 Node\(s\)/);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(errorLines(r.stderr)).toEqual([`error: unhandled rejection (still running): ${REDACTED_MESSAGE}`]);
  }, 60_000);
});

describe('crash handlers', () => {
  const secretError = () => new Error(`GET https://admin:${SECRET}@10.0.0.5/x failed\ntoken: ${SECRET}`);

  function harness(mode: 'one-shot' | 'long-lived', debug = false) {
    const written: string[] = [];
    const logged: string[] = [];
    const exits: number[] = [];
    const h = crashHandlers({
      mode: () => mode,
      write: (l) => written.push(l),
      log: (l) => logged.push(l),
      exit: (c) => exits.push(c),
      debug,
    });
    return { h, written, logged, exits };
  }

  it('a one-shot rejection exits with one line; a long-lived one is logged and does not exit', () => {
    const one = harness('one-shot');
    one.h.onUnhandledRejection(secretError());
    expect(one.exits).toEqual([CRASH_EXIT_CODE]);
    expect(one.written).toHaveLength(1);
    expect(one.written[0]).not.toContain(SECRET);
    const long = harness('long-lived');
    long.h.onUnhandledRejection(secretError());
    expect(long.exits).toEqual([]);
    expect(long.written).toEqual([]);
    expect(long.logged).toHaveLength(1);
    expect(long.logged[0]).toMatch(/^error: unhandled rejection \(still running\): GET https:\/\/admin:\[REDACTED\]@/);
  });

  it('an uncaught exception exits in either mode', () => {
    for (const mode of ['one-shot', 'long-lived'] as const) {
      const t = harness(mode);
      t.h.onUncaughtException(secretError());
      expect(t.exits).toEqual([CRASH_EXIT_CODE]);
      expect(t.written.join('\n')).not.toContain(SECRET);
    }
  });

  it('the stack, shown only when debugging, is redacted too', () => {
    const t = harness('one-shot', true);
    t.h.onUncaughtException(secretError());
    expect(t.written).toHaveLength(2);
    expect(t.written[1]).toMatch(/\n\s+at /);
    expect(t.written.join('\n')).not.toContain(SECRET);
  });

  it('non-Error reasons and UserError hints become one line', () => {
    const plain = crashLine('unhandled rejection', { password: SECRET });
    expect(plain).toBe(`error: unhandled rejection: {"password":"${REDACTED}"}`);
    expect(crashLine('unhandled rejection', undefined)).toBe('error: unhandled rejection: undefined');
    const ue = new UserError(`etcdctl user add root:${SECRET} failed`, 'Re-run backing add.');
    const line = crashLine('uncaught exception', ue);
    const want = `error: uncaught exception: etcdctl user add root:${REDACTED} failed (fix: Re-run backing add.)`;
    expect(line).toBe(want);
  });

  it('long-lived commands are the UI, the demo, the emulators and create --serve', () => {
    for (const p of [['ui'], ['demo'], ['fake-controller'], ['sim', 'controllers'], ['sim', 'apiserver']]) {
      expect(commandMode(p), p.join(' ')).toBe('long-lived');
    }
    expect(commandMode(['create'], { serve: true })).toBe('long-lived');
    for (const p of [['create'], ['status'], ['setup'], ['backing', 'add'], ['delete'], ['config'], ['tune']]) {
      expect(commandMode(p), p.join(' ')).toBe('one-shot');
    }
  });
});
