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
const rule = rules.find((r) => new RegExp(r.match ?? '').test(joined));
if (rule?.stdout) process.stdout.write(rule.stdout);
if (rule?.stderr) process.stderr.write(rule.stderr);
process.exitCode = rule ? (rule.exit ?? 0) : 0;
// Long-running tools (port-forward) stay up until killed or until sleepMs passes.
if (rule?.sleepMs) setTimeout(() => {}, rule.sleepMs);
