#!/usr/bin/env node
// A stand-in for kind/kubectl/clusterctl/docker/ssh/etcdctl in unit tests. It appends
// {tool, argv, stdin} as one JSON line to $FAKE_BIN_LOG and answers with the first rule
// in $FAKE_BIN_RULES whose `match` (a regex over the space-joined argv) matches.
import { appendFileSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

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
appendFileSync(process.env.FAKE_BIN_LOG, JSON.stringify({ tool, argv, stdin }) + '\n');
const rules = JSON.parse(readFileSync(process.env.FAKE_BIN_RULES, 'utf8'))[tool] ?? [];
const joined = argv.join(' ');
// A rule with `times` answers only the first `times` matching calls (e.g. a webhook that
// is not ready for the first two attempts); earlier calls are counted from the log.
const earlier = readFileSync(process.env.FAKE_BIN_LOG, 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => JSON.parse(l))
  .filter((c) => c.tool === tool)
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
