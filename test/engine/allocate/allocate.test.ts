import { describe, expect, it } from 'vitest';
import { allocate, usedNumbers } from '../../../src/engine/allocate/allocate.js';
import { UserError } from '../../../src/core/errors.js';

describe('allocate', () => {
  it('never reuses a number seen anywhere, including deleted ones (floor) and foreign namespaces', () => {
    const used = usedNumbers('test', ['test-3', 'test-7', 'kube-system', 'test-x', 'other-99', 'test-10-a']);
    expect([...used].sort((a, b) => a - b)).toEqual([3, 7]);
    expect(allocate({ prefix: 'test', count: 3, used }).map((a) => a.name)).toEqual(['test-8', 'test-9', 'test-10']);
    expect(allocate({ prefix: 'test', count: 1, used, floor: 20 })[0]!.number).toBe(21);
  });

  it('places by free capacity and keeps numbers unique across backing clusters', () => {
    const out = allocate({
      prefix: 'test',
      count: 6,
      used: new Set(),
      targets: [
        { name: 'a', capacity: 10, used: 8 },
        { name: 'b', capacity: 10, used: 4 },
      ],
    });
    expect(new Set(out.map((o) => o.number)).size).toBe(6);
    const perTarget = out.reduce<Record<string, number>>((m, o) => {
      m[o.placement!] = (m[o.placement!] ?? 0) + 1;
      return m;
    }, {});
    // b has 6 free, a has 2: fill b until it equals a, then alternate
    expect(perTarget).toEqual({ a: 1, b: 5 });
  });

  it('rejects more clusters than free capacity, unknown targets and port overflow with a fix', () => {
    const targets = [{ name: 'a', capacity: 2, used: 1 }];
    expect(() => allocate({ prefix: 'test', count: 2, used: new Set(), targets })).toThrow(UserError);
    expect(() => allocate({ prefix: 'test', count: 1, used: new Set(), targets, only: 'zz' })).toThrow(
      /not registered/,
    );
    expect(() => allocate({ prefix: 'test', count: 5, used: new Set([9998]), maxNumber: 9999 })).toThrow(
      /above the limit/,
    );
  });
});
