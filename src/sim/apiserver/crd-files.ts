// Reads CustomResourceDefinition YAML from directories (recursively). Parsed documents are
// cached per file for the process: many server instances may load the same directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../../core/errors.js';

const cache = new Map<string, Record<string, unknown>[]>();

function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    throw new UserError(
      `CRD directory ${dir} cannot be read`,
      'Pass an existing directory of CustomResourceDefinition YAML files (e.g. ../shared/crds).',
    );
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

export function loadCrdDocs(dirs: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const dir of dirs) {
    for (const file of filesUnder(dir)) {
      let docs = cache.get(file);
      if (!docs) {
        docs = [];
        for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) {
          if (d.errors.length)
            throw new UserError(`${file} is not valid YAML: ${d.errors[0]!.message}`, 'Fix or remove the file.');
          const v = d.toJSON() as unknown;
          if (v && typeof v === 'object' && (v as { kind?: string }).kind === 'CustomResourceDefinition')
            docs.push(v as Record<string, unknown>);
        }
        cache.set(file, docs);
      }
      out.push(...docs);
    }
  }
  return out;
}
