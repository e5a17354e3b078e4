// `scale-tui info` through the real binary: every path it reads and writes, resolved for
// this environment, and each bad preferences entry named once.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'info-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scale-tui info', () => {
  it('prints the preferences file under $XDG_CONFIG_HOME, the state paths, bad entries and the command ids', () => {
    mkdirSync(join(dir, 'xdg', 'scale-tui'), { recursive: true });
    writeFileSync(join(dir, 'xdg', 'scale-tui', 'config.yaml'), 'theme: neon\nkeys: { delete: x }\n');
    const out = execFileSync(process.execPath, ['bin/scale-tui.js', 'info', '--state-dir', join(dir, 'state')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'xdg'), SCALE_TUI_CONFIG_DIR: '', KUBECONFIG: '/k/config' },
    });
    expect(out).toContain(`ui preferences`);
    expect(out).toContain(`${join(dir, 'xdg', 'scale-tui', 'config.yaml')} (found;`);
    expect(out).toMatch(/management kubeconfig +r +\/k\/config/);
    expect(out).toContain(`${join(dir, 'state', 'runs', '<run-id>', 'journal.jsonl')}`);
    expect(out).toContain(`${join(dir, 'state', 'logs')}/log-<source>-<time>.txt`);
    expect(out).toContain(`${join(dir, 'state', 'pki')}/`);
    expect(out.match(/^warning: /gm)).toHaveLength(1);
    expect(out).toMatch(/^warning: .*theme "neon" is not dark or light; the dark theme stays$/m);
    expect(out).toMatch(/^ {2}delete +d +delete:/m);
  });
});
