// The preferences file: each bad entry gets one message and its default stays; good
// entries apply. The path follows XDG, with an override, and `scale-tui info` prints it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uiConfigPath } from '../../src/ui/config/paths.js';
import { defaultPrefs, loadPrefs, parsePrefs } from '../../src/ui/config/prefs.js';

describe('ui preferences', () => {
  it('applies good entries', () => {
    const r = parsePrefs('theme: light\nkeys:\n  delete: x\n  add: [a, "+"]\nlog: { wrap: true }\n');
    expect(r.problems).toEqual([]);
    expect(r.prefs).toEqual({
      theme: 'light',
      keys: { delete: ['x'], add: ['a', '+'] },
      log: { wrap: true, timestamps: true, controllerLines: 2000 },
    });
  });

  it('names each bad entry once and keeps its default, while the good ones still apply', () => {
    const r = parsePrefs(
      'theme: purple\ncolour: red\nkeys:\n  delete: x\n  nuke: y\n  add: "not a key"\n  pause: 5\nlog: { wrap: yes please }\n',
      'cfg.yaml',
    );
    expect(r.prefs.theme).toBe('dark');
    expect(r.prefs.keys).toEqual({ delete: ['x'] });
    expect(r.prefs.log).toEqual(defaultPrefs().log);
    expect(r.problems).toEqual([
      'cfg.yaml: unknown setting "colour": use one of theme, keys, log',
      'cfg.yaml: theme "purple" is not dark or light; the dark theme stays',
      expect.stringMatching(/^cfg\.yaml: log: wrap: .*; e\.g\. log: \{ wrap: true, timestamps: false \}$/),
      'cfg.yaml: keys.nuke: no such command; the ids are listed by `scale-tui info`',
      expect.stringMatching(
        /^cfg\.yaml: keys\.add: "not a key" is not a key; use one character, ctrl-X, or one of enter, esc/,
      ),
      expect.stringMatching(/^cfg\.yaml: keys\.pause: .*write a key like x or a list \[x, y\]$/),
    ]);
  });

  it('a file that is not YAML is one message, defaults in force', () => {
    const r = parsePrefs('keys: [unclosed', 'cfg.yaml');
    expect(r.prefs).toEqual(defaultPrefs());
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^cfg\.yaml: not YAML/);
  });

  it('lives under $XDG_CONFIG_HOME/scale-tui, $SCALE_TUI_CONFIG_DIR wins, else ~/.config', () => {
    expect(uiConfigPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/scale-tui/config.yaml');
    expect(uiConfigPath({ SCALE_TUI_CONFIG_DIR: '/o', XDG_CONFIG_HOME: '/x' })).toBe('/o/config.yaml');
    expect(uiConfigPath({ HOME: '/h' })).toBe('/h/.config/scale-tui/config.yaml');
  });

  it('a missing file is no problem; a present one is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prefs-'));
    expect(loadPrefs(join(dir, 'none.yaml'))).toMatchObject({ found: false, problems: [] });
    writeFileSync(join(dir, 'config.yaml'), 'keys: { delete: x }\n');
    expect(loadPrefs(join(dir, 'config.yaml'))).toMatchObject({ found: true, prefs: { keys: { delete: ['x'] } } });
  });
});
