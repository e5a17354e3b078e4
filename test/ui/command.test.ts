import { describe, expect, it } from 'vitest';
import { parseCommand, parseSelection } from '../../src/ui/model/command.js';

describe(': command parser', () => {
  it('parses the commands the help lists', () => {
    expect(parseCommand(':create 100')).toEqual({ ok: true, value: { type: 'add', count: 100, backing: undefined } });
    expect(parseCommand('create 5 backing-2')).toEqual({
      ok: true,
      value: { type: 'add', count: 5, backing: 'backing-2' },
    });
    expect(parseCommand(':delete test-1..test-50')).toEqual({
      ok: true,
      value: { type: 'delete', selection: { kind: 'range', from: 1, to: 50 }, prefix: 'test' },
    });
    expect(parseCommand(':delete 1..5')).toEqual({
      ok: true,
      value: { type: 'delete', selection: { kind: 'range', from: 1, to: 5 } },
    });
    expect(parseCommand(':tune kcp concurrency=100 qps=200 burst=300')).toEqual({
      ok: true,
      value: { type: 'tune', controller: 'kcp', request: { concurrency: 100, qps: 200, burst: 300 } },
    });
    expect(parseCommand(':tune capi machine-concurrency=20')).toEqual({
      ok: true,
      value: { type: 'tune', controller: 'capi', request: { concurrencyFlags: { 'machine-concurrency': 20 } } },
    });
    // concurrency= is the main reconciler flag; any other flag is named, as with the CLI's --flag.
    expect(parseCommand(':tune kcp concurrency=100 clustercache-concurrency=50')).toEqual({
      ok: true,
      value: {
        type: 'tune',
        controller: 'kcp',
        request: { concurrency: 100, concurrencyFlags: { 'clustercache-concurrency': 50 } },
      },
    });
    expect(parseCommand(':concurrency 25')).toEqual({ ok: true, value: { type: 'concurrency', n: 25 } });
    for (const v of ['pause', 'resume', 'help', 'quit'] as const)
      expect(parseCommand(`:${v}`)).toEqual({ ok: true, value: { type: v } });
  });

  it.each([
    [':create', /usage: :create N/],
    [':create -5', /whole number from 1 to 10000|from 1 to 10000/],
    [':create 99999', /from 1 to 10000, got 99999/],
    [':create ten', /whole number/],
    [':tune', /one of capi, kubeadm-bootstrap, kcp, capm3, ipam, bmo/],
    [':tune nosuch qps=1', /one of capi/],
    [':tune kcp', /say what to set/],
    [':tune kcp qps=0', /qps must be from 1 to 100000, got 0/],
    [':tune kcp qps', /not key=value/],
    [':tune kcp speed=3', /unknown setting "speed"/],
    [':delete', /say what to delete/],
    [':delete test-50..test-1', /ends before it starts/],
    [':delete Test_1', /not a cluster name/],
    [':delete test-1..other-5', /mixes prefixes test and other/],
    [':launch', /unknown command "launch"/],
    [':', /type a command/],
  ])('%s is refused with a message that says what to do', (text, message) => {
    const r = parseCommand(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

describe('delete selections', () => {
  it('covers all, last batch, a batch, ranges by name or number, and name lists', () => {
    expect(parseSelection('all')).toEqual({ ok: true, value: { kind: 'all' } });
    expect(parseSelection('last')).toEqual({ ok: true, value: { kind: 'last-batch' } });
    expect(parseSelection('batch b-12')).toEqual({ ok: true, value: { kind: 'batch', batchId: 'b-12' } });
    expect(parseSelection('3..40')).toEqual({ ok: true, value: { kind: 'range', from: 3, to: 40 } });
    expect(parseSelection('test-3 .. test-40')).toEqual({ ok: true, value: { kind: 'range', from: 3, to: 40 } });
    expect(parseSelection('test-3, test-7')).toEqual({
      ok: true,
      value: { kind: 'names', names: ['test-3', 'test-7'] },
    });
  });
});
