import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/engine/config/load.js';
import { UserError } from '../../src/core/errors.js';

describe('experiment config', () => {
  it('defaults reproduce the seed: 3-node kind, batches of 10, prefix test', () => {
    const c = defaultConfig();
    expect(c.management.nodes).toBe(3);
    expect(c.batch.concurrency).toBe(10);
    expect(c.naming.prefix).toBe('test');
    expect(c.cluster.imageChecksum).toBe('97830b21ed272a3d854615beb54cf004');
  });

  it('names the field and the allowed values for an unknown topology', () => {
    expect(() => parseConfig('topology: mesh\n')).toThrowError(
      /topology: .*allowed: "shared", "dedicated", "backing", "sharded", "capd"/,
    );
  });

  it('names unknown fields and range violations', () => {
    expect(() => parseConfig('batch:\n  size: 0\n  colour: red\n')).toThrowError(/batch: unknown field\(s\) "colour"/);
    expect(() => parseConfig('batch:\n  concurrency: -3\n')).toThrowError(/batch.concurrency: must be at least 1/);
  });

  it('reports malformed YAML as a UserError, not a stack trace', () => {
    const err = (() => {
      try {
        parseConfig('topology: [backing\n');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/not valid YAML/);
  });
});
