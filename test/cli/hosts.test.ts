// Runs the real binary, as a user would, and validates what it prints.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/manifests/types.js';
import { validate } from '../../src/sim/apiserver/schema/validate.js';
import { coreShapeFor } from '../support/core-shapes.js';
import { crdFor } from '../support/crds.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

async function hosts(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/scale-tui.js', 'hosts', ...args], { cwd: root });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

function parse(stdout: string): KubeObject[] {
  const docs = parseAllDocuments(stdout);
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJSON() as KubeObject);
}

function check(o: KubeObject): void {
  const schema = coreShapeFor(o.apiVersion, o.kind) ?? crdFor(o.apiVersion, o.kind).schema;
  expect({ name: o.metadata.name, v: validate(schema, o, { unknownFields: 'reject' }) }).toEqual({
    name: o.metadata.name,
    v: [],
  });
}

describe('scale-tui hosts', () => {
  it('--count 3 prints 6 valid documents with random BMC passwords', async () => {
    const r = await hosts('--count', '3');
    expect(r.code).toBe(0);
    const docs = parse(r.stdout);
    expect(docs).toHaveLength(6);
    expect(docs.map((d) => d.kind)).toEqual([
      'Secret',
      'BareMetalHost',
      'Secret',
      'BareMetalHost',
      'Secret',
      'BareMetalHost',
    ]);
    docs.forEach(check);
    const bmhs = docs.filter((d) => d.kind === 'BareMetalHost');
    expect(bmhs.map((b) => (b.spec as { image?: unknown }).image)).toEqual([undefined, undefined, undefined]);
    const passwords = docs
      .filter((d) => d.kind === 'Secret')
      .map((s) => Buffer.from((s.data as { password: string }).password, 'base64').toString());
    expect(new Set(passwords).size).toBe(3);
    for (const p of passwords) expect(p.length).toBeGreaterThanOrEqual(16);
    const again = parse((await hosts('--count', '3')).stdout).filter((d) => d.kind === 'Secret');
    expect((again[0]!.data as { password: string }).password).not.toBe(
      (docs[0]!.data as { password: string }).password,
    );
  });

  it('--provisioned --namespace sets image, userData and namespace', async () => {
    const r = await hosts('--count', '2', '--provisioned', '--namespace', 'metal3');
    expect(r.code).toBe(0);
    const docs = parse(r.stdout);
    expect(docs).toHaveLength(4);
    docs.forEach(check);
    for (const d of docs) expect(d.metadata.namespace).toBe('metal3');
    const spec = docs[1]!.spec as { image: { url: string }; userData: { name: string } };
    expect(spec.image.url).toMatch(/^http/);
    expect(spec.userData.name).toBe('worker-user-data');
  });

  it('a bad count or namespace is a clear error with a non-zero exit', async () => {
    for (const args of [['--count', '0'], ['--count', 'many'], ['--count', '100001'], []]) {
      const r = await hosts(...args);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: .*--count/m);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    const r = await hosts('--count', '1', '--namespace', 'Not_Valid');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: --namespace "Not_Valid"/);
    expect(r.stderr).toMatch(/fix: /);
  });
});
