// `scale-tui farm` as a user runs it: serve in the background, register (FKAS shape, twice
// the same), fault a cluster through the control API, status; every bad value is one
// `error:` and one `fix:` line with a non-zero exit, and nothing is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePortBlock } from '../support/ports.js';
import { parseDurationMs, parseFaultFlags } from '../../src/cli/commands/farm-args.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/scale-tui.js', 'farm', ...args], {
      cwd: root,
      timeout: 30_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('scale-tui farm', () => {
  let dir: string;
  let serve: ChildProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'farm-cli-'));
    const base = await freePortBlock(4);
    serve = spawn(
      process.execPath,
      ['bin/scale-tui.js', 'farm', 'serve', '--state-dir', dir, '--base-port', String(base), '--control-port', '0'],
      {
        cwd: root,
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 400 && !existsSync(join(dir, 'control.json')); i++) await new Promise((r) => setTimeout(r, 50));
  }, 30_000);
  afterAll(() => {
    serve.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('register, fault and status through the control API; the token file is private', async () => {
    expect(statSync(join(dir, 'control-token')).mode & 0o777).toBe(0o600);
    const a = await cli('register', 'test-1', '--state-dir', dir);
    expect(a.code).toBe(0);
    const b = await cli('register', 'test-1', '--state-dir', dir);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
    expect(Object.keys(JSON.parse(a.stdout))).toEqual(['Resource', 'Host', 'Port']);
    const f = await cli('fault', 'test-1', '--latency', '200ms', '--error-rate', '0.2', '--state-dir', dir);
    expect(f.code).toBe(0);
    expect(JSON.parse(f.stdout).fault).toEqual({ latencyMs: 200, errorRate: 0.2 });
    const down = await cli('fault', 'test-1', '--down', '--state-dir', dir);
    expect(JSON.parse(down.stdout)).toMatchObject({ listening: false, fault: { down: true, latencyMs: 200 } });
    const status = await cli('status', '--state-dir', dir);
    expect(status.stdout).toContain('test-1/test-1');
    expect(status.stdout).toContain('DOWN');
    const up = await cli('fault', 'test-1', '--clear', '--state-dir', dir);
    expect(JSON.parse(up.stdout)).toMatchObject({ listening: true, fault: {} });
    const kc = await cli('kubeconfig', 'test-1', '--state-dir', dir);
    expect(kc.stdout).toContain('client-certificate-data');
  }, 60_000);

  it.each([
    [['fault', 'test-1'], /needs a fault/],
    [['fault', 'test-1', '--error-rate', '2'], /not a share from 0 to 1/],
    [['fault', 'nope', '--down'], /is not in the farm/],
    [['add', 'f2', '--url', 'http://127.0.0.1:1'], /does not answer/],
    [['status', '--url', 'http://127.0.0.1:1'], /did not answer/],
  ])(
    'refuses %j with error and fix',
    async (args, message) => {
      const r = await cli(...args, ...(args[0] === 'fault' ? ['--state-dir', dir] : []));
      expect(r.code).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
      expect(lines[1]).toMatch(/^fix: /);
    },
    30_000,
  );

  it('parses durations and fault flags', () => {
    expect(parseDurationMs('200ms')).toBe(200);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseFaultFlags({ up: true, latency: '0' })).toEqual({ down: false, latencyMs: 0 });
    expect(() => parseFaultFlags({ clear: true, down: true })).toThrow(/--clear/);
    expect(() => parseFaultFlags({ down: true, up: true })).toThrow(/--down and --up together/);
    expect(() => parseDurationMs('soon')).toThrow(/not a duration/);
  });
});
