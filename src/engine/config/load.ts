// Reads and validates the experiment config; every error names the field and what it accepts.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type ExperimentConfig } from './schema.js';
import { UserError } from '../../core/errors.js';

export function defaultConfig(): ExperimentConfig {
  return configSchema.parse({});
}

export function parseConfig(text: string, source = 'config'): ExperimentConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    throw new UserError(
      `${source}: not valid YAML: ${first.message.split('\n')[0]}`,
      'Fix the YAML syntax at the position shown (indentation and colons are the usual causes).',
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(
      `${source}: the top level must be a mapping of settings`,
      'Start the file with keys such as "topology:" and "batch:".',
    );
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new UserError(
      `${source}: ${describeIssues(result.error.issues)}`,
      'Correct the field(s) named above; `scale-tui config --defaults` prints a valid file.',
    );
  }
  return result.data;
}

export async function loadConfig(path: string | undefined): Promise<ExperimentConfig> {
  if (!path) return defaultConfig();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot read config file ${path} (${code ?? 'error'})`,
      code === 'ENOENT' ? 'Check the path, or omit --config to use the defaults.' : 'Check the file permissions.',
    );
  }
  return parseConfig(text, path);
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues.map(describeIssue).join('; ');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  switch (issue.code) {
    case 'invalid_value':
      return `${field}: got an unsupported value; allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `${field === '(top level)' ? '' : `${field}: `}unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_type':
      return `${field}: expected ${issue.expected}`;
    case 'too_small':
      return `${field}: must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `${field}: must be at most ${String(issue.maximum)}`;
    default:
      return `${field}: ${issue.message}`;
  }
}
