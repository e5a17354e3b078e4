#!/usr/bin/env node
// A stand-in for kind/kubectl/clusterctl/docker/ssh/etcdctl in unit tests. It appends
// {tool, argv, stdin, valid} as one JSON line to $FAKE_BIN_LOG. It then checks the argv
// the way the real tool would (cli-parse.mjs, against the tool's table in
// $FAKE_BIN_SPECS): an unknown subcommand or flag, or a flag missing its value, gets the
// real tool's message and exit code, so a misspelt flag fails in a unit test as it would
// on a real run. Only an argv that passes is answered by the first rule in
// $FAKE_BIN_RULES whose `match` (a regex over the space-joined argv) matches.
import { appendFileSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { nestedFailure, parseArgv } from './cli-parse.mjs';

const tool = basename(process.argv[1]);
const argv = process.argv.slice(2);
let stdin = '';
if (!process.stdin.isTTY) {
  try {
    stdin = readFileSync(0, 'utf8');
  } catch {
    stdin = '';
  }
}
const specs = process.env.FAKE_BIN_SPECS ? JSON.parse(readFileSync(process.env.FAKE_BIN_SPECS, 'utf8')) : {};
const spec = specs[tool];
const parsed = spec ? parseArgv(spec, argv) : undefined;
// What the real tool would have printed before doing anything: a usage error, or help.
const refusal = parsed && !parsed.ok ? parsed : parsed ? nestedFailure(tool, parsed, specs) : undefined;
appendFileSync(process.env.FAKE_BIN_LOG, `${JSON.stringify({ tool, argv, stdin, valid: refusal === undefined })}\n`);

if (refusal) {
  process.stdout.write(refusal.stdout);
  process.stderr.write(refusal.stderr);
  process.exitCode = refusal.exit;
} else {
  answer();
}

function answer() {
  const rules = JSON.parse(readFileSync(process.env.FAKE_BIN_RULES, 'utf8'))[tool] ?? [];
  const joined = argv.join(' ');
  // A rule with `times` answers only the first `times` matching calls (e.g. a webhook that
  // is not ready for the first two attempts); earlier answered calls are counted from the log.
  const earlier = readFileSync(process.env.FAKE_BIN_LOG, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l))
    .filter((c) => c.tool === tool && c.valid !== false)
    .slice(0, -1);
  const rule = rules.find((r) => {
    const re = new RegExp(r.match ?? '');
    if (!re.test(joined)) return false;
    if (r.times === undefined) return true;
    return earlier.filter((c) => re.test(c.argv.join(' '))).length < r.times;
  });
  if (rule?.stdout) process.stdout.write(rule.stdout);
  if (rule?.stderr) process.stderr.write(rule.stderr);
  process.exitCode = rule ? (rule.exit ?? 0) : 0;
  // Long-running tools (port-forward) stay up until killed or until sleepMs passes.
  if (rule?.sleepMs) setTimeout(() => {}, rule.sleepMs);
}
