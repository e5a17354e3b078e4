import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addEntry, readRegistry, registryPath, removeEntry } from '../../../src/engine/backing/registry.js';
import { UserError } from '../../../src/core/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scale-tui-reg-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('backing registry', () => {
  it('adds, lists and removes entries in a 0600 JSON file without leftovers', () => {
    addEntry(dir, { name: 'b1', kubeconfig: '/k/one', capacity: 100 });
    addEntry(dir, { name: 'b2', kubeconfig: '/k/two', context: 'kind-b2', capacity: 50 });
    expect(readRegistry(dir).map((e) => [e.name, e.capacity, e.context])).toEqual([
      ['b1', 100, undefined],
      ['b2', 50, 'kind-b2'],
    ]);
    expect(statSync(registryPath(dir)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(removeEntry(dir, 'b1').kubeconfig).toBe('/k/one');
    expect(readRegistry(dir).map((e) => e.name)).toEqual(['b2']);
  });

  it('re-adding the same cluster updates it; a different kubeconfig under a taken name is refused', () => {
    addEntry(dir, { name: 'b1', kubeconfig: '/k/one', capacity: 100 });
    addEntry(dir, { name: 'b1', kubeconfig: '/k/one', capacity: 200 });
    expect(readRegistry(dir)).toHaveLength(1);
    expect(readRegistry(dir)[0]!.capacity).toBe(200);
    expect(() => addEntry(dir, { name: 'b1', kubeconfig: '/k/other', capacity: 1 })).toThrow(
      /already registered with \/k\/one/,
    );
  });

  it('removing an unknown name and a corrupt file are UserErrors', () => {
    expect(() => removeEntry(dir, 'nope')).toThrow(UserError);
    writeFileSync(registryPath(dir), '{ nope');
    expect(() => readRegistry(dir)).toThrow(/not valid JSON/);
    writeFileSync(registryPath(dir), JSON.stringify({ version: 1, clusters: [{ name: 'x' }] }));
    expect(() => readRegistry(dir)).toThrow(/unexpected shape/);
    expect(readFileSync(registryPath(dir), 'utf8')).toContain('"x"');
  });
});
