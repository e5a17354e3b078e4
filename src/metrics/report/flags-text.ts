// Controller flags in one line, for tuning timelines ("kubeadmcontrolplane-concurrency=10 qps=20").
import type { ControllerFlags } from '../../core/types.js';

export function flagsText(f: ControllerFlags): string {
  const parts = Object.entries(f.concurrency).map(([k, v]) => `${k}=${v}`);
  if (f.qps !== undefined) parts.push(`qps=${f.qps}`);
  if (f.burst !== undefined) parts.push(`burst=${f.burst}`);
  return parts.join(' ') || 'defaults';
}
