// Builds a directory of fake executables that record their argv (see recorder.mjs) and
// puts it first on PATH for the duration of a test. Each fake checks its argv against the
// real tool's commands and flags (specs/, cli-parse.mjs) before any rule answers it.
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL_SPECS } from './specs/index.js';

export interface FakeRule {
  /** Regex over the space-joined argv; omitted = matches everything. */
  match?: string;
  stdout?: string;
  stderr?: string;
  exit?: number;
  /** Answer only the first `times` matching calls, then fall through to later rules. */
  times?: number;
  /** Stay alive this long after answering (for port-forward). */
  sleepMs?: number;
}

export interface FakeCall {
  tool: string;
  argv: string[];
  stdin: string;
  /** False when the real tool would have refused the argv (the fake answered as it would, no rule ran). */
  valid: boolean;
}

export interface FakeBin {
  dir: string;
  setRules(rules: Record<string, FakeRule[]>): void;
  calls(tool?: string): FakeCall[];
  restore(): void;
}

const RECORDER = join(dirname(fileURLToPath(import.meta.url)), 'recorder.mjs');

/** `tools` are the names to fake; `keepPath` keeps the real PATH behind the fakes (default: only /usr/bin:/bin for node). */
export function installFakeBin(
  tools: string[],
  rules: Record<string, FakeRule[]> = {},
  opts: { isolate?: boolean } = {},
): FakeBin {
  const dir = mkdtempSync(join(tmpdir(), 'scale-tui-fakebin-'));
  chmodSync(RECORDER, 0o755);
  for (const t of tools) symlinkSync(RECORDER, join(dir, t));
  const log = join(dir, 'calls.jsonl');
  const rulesFile = join(dir, 'rules.json');
  const specsFile = join(dir, 'specs.json');
  writeFileSync(log, '');
  writeFileSync(rulesFile, JSON.stringify(rules));
  writeFileSync(specsFile, JSON.stringify(TOOL_SPECS));
  const saved = {
    PATH: process.env.PATH,
    FAKE_BIN_LOG: process.env.FAKE_BIN_LOG,
    FAKE_BIN_RULES: process.env.FAKE_BIN_RULES,
    FAKE_BIN_SPECS: process.env.FAKE_BIN_SPECS,
  };
  // node must stay reachable for the recorder's shebang; with isolate, nothing else is
  // (node's own directory may be /usr/bin, which holds real tools, so link node alone).
  if (opts.isolate) symlinkSync(process.execPath, join(dir, 'node'));
  process.env.PATH = opts.isolate ? dir : `${dir}:${process.env.PATH ?? ''}`;
  process.env.FAKE_BIN_LOG = log;
  process.env.FAKE_BIN_RULES = rulesFile;
  process.env.FAKE_BIN_SPECS = specsFile;
  return {
    dir,
    setRules(r) {
      writeFileSync(rulesFile, JSON.stringify(r));
    },
    calls(tool) {
      if (!existsSync(log)) return [];
      const all = readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as FakeCall);
      return tool ? all.filter((c) => c.tool === tool) : all;
    },
    restore() {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
