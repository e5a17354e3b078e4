// The fake tools' tables, by executable name (see ../cli-parse.d.mts for what they hold).
import type { ToolSpec } from '../cli-parse.mjs';
import { clusterctl } from './clusterctl.js';
import { docker } from './docker.js';
import { etcdctl } from './etcdctl.js';
import { kind } from './kind.js';
import { kubectl } from './kubectl.js';
import { ssh } from './ssh.js';

export const TOOL_SPECS: Record<string, ToolSpec> = { clusterctl, docker, etcdctl, kind, kubectl, ssh };
