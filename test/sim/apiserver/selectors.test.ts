import { describe, expect, it } from 'vitest';
import {
  parseFieldSelector,
  fieldsMatch,
  parseLabelSelector,
  selectorObjectToString,
} from '../../../src/sim/apiserver/selectors.js';
import { ApiStatusError } from '../../../src/sim/apiserver/status.js';

describe('label selectors', () => {
  const l = { app: 'web', tier: 'front', 'scale-tui.metal3.io/cluster': 'test-1' };
  const m = (s: string): boolean => parseLabelSelector(s)!(l);

  it('evaluates every operator', () => {
    expect(m('app=web')).toBe(true);
    expect(m('app==web')).toBe(true);
    expect(m('app!=web')).toBe(false);
    expect(m('missing!=x')).toBe(true);
    expect(m('tier in (back, front)')).toBe(true);
    expect(m('tier notin (front)')).toBe(false);
    expect(m('missing notin (front)')).toBe(true);
    expect(m('scale-tui.metal3.io/cluster')).toBe(true);
    expect(m('!scale-tui.metal3.io/cluster')).toBe(false);
    expect(m('app=web,tier in (front),!missing')).toBe(true);
    expect(m('app=web,tier=back')).toBe(false);
    expect(parseLabelSelector('a=b')!(undefined)).toBe(false);
  });

  it('treats an empty selector as everything and rejects garbage with a 400', () => {
    expect(parseLabelSelector('')).toBeUndefined();
    expect(() => parseLabelSelector('a in (b')).toThrow(ApiStatusError);
    expect(() => parseLabelSelector('=x')).toThrow(ApiStatusError);
  });

  it('renders selector objects', () => {
    expect(
      selectorObjectToString({
        matchLabels: { a: 'b' },
        matchExpressions: [
          { key: 'c', operator: 'In', values: ['d', 'e'] },
          { key: 'f', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('a=b,c in (d,e),!f');
  });
});

describe('field selectors', () => {
  it('matches nested fields with = and !=', () => {
    const obj = { metadata: { name: 'p', namespace: 'n' }, status: { phase: 'Running' } };
    expect(fieldsMatch(parseFieldSelector('metadata.name=p,status.phase!=Pending')!, obj)).toBe(true);
    expect(fieldsMatch(parseFieldSelector('status.phase=Pending')!, obj)).toBe(false);
    expect(fieldsMatch(parseFieldSelector('spec.nodeName=')!, obj)).toBe(true);
  });
});
