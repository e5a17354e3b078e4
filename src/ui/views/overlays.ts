// Help, dialogs and the footer, as lines; help and footer come from the command table.
import type { ScaleState } from '../../state/store.js';
import { COMMAND_HELP } from '../model/command.js';
import { footerText, keyHelp } from '../model/keys.js';
import type { Scope } from '../model/keymap.js';
import { box, line, padEnd, seg, type Line } from '../model/text.js';
import { backingChoices } from '../model/dialogs.js';
import { mainConcurrencyFlag } from '../model/selection.js';
import type { Dialog, KeyContext, ViewState } from '../model/view-state.js';

type HelpContext = Pick<KeyContext, 'keymap' | 'readOnly' | 'faults'>;

export function helpLines(scope: Scope, ctx: HelpContext, width: number, height: number): Line[] {
  const out: Line[] = [
    line(
      seg(` Keys (${scope === 'main' ? 'main screen' : scope}) `, { inverse: true, bold: true }),
      seg('  esc, ? or q closes', { dim: true }),
      ctx.readOnly ? seg('  read-only: actions that change clusters are hidden', { color: 'warn' }) : '',
    ),
  ];
  for (const k of keyHelp(scope, ctx))
    out.push(line(seg(padEnd(k.keys, 18), { bold: true, color: 'accent' }), k.action));
  out.push([]);
  out.push(line(seg(' Commands (:) ', { inverse: true, bold: true })));
  for (const c of COMMAND_HELP) out.push(line(c));
  return box(out, width, height);
}

function field(label: string, value: string, active: boolean): Line {
  return line(padEnd(label, 14), seg(` ${value}${active ? '▏' : ''} `, { inverse: active }));
}

export function dialogLines(d: Dialog, state: ScaleState): Line[] {
  const out: Line[] = [];
  switch (d.kind) {
    case 'add': {
      const choices = backingChoices(state);
      out.push(line(seg('Add a batch', { bold: true })));
      out.push(field('clusters', d.count, d.field === 0));
      out.push(
        line(
          padEnd('backing', 14),
          ...choices.map((c, i) => seg(` ${c} `, { inverse: i === d.backing, bold: i === d.backing && d.field === 1 })),
        ),
      );
      out.push(line(seg('tab switches field, ←→ picks the backing cluster, enter adds, esc cancels', { dim: true })));
      break;
    }
    case 'delete':
      out.push(line(seg('Delete clusters', { bold: true })));
      out.push(field('selection', d.text, true));
      out.push(
        line(
          seg('all | last | batch ID | test-1..test-50 | test-3,test-7   enter: review, esc: cancel', { dim: true }),
        ),
      );
      break;
    case 'confirm-delete':
      out.push(line(seg('Delete for good?', { bold: true, color: 'error' })));
      out.push(line(`This deletes ${d.summary}: Cluster objects, API servers, etcd tenants, namespaces.`));
      out.push(line(seg('y deletes, n or esc keeps them', { bold: true })));
      break;
    case 'concurrency': {
      const c = state.controllers[d.controller];
      out.push(
        line(seg(`Concurrency of ${d.controller}`, { bold: true }), c ? `  (${c.namespace}/${c.deployment})` : ''),
      );
      const flags = c?.supportedConcurrencyFlags ?? [];
      out.push(
        line(
          seg('now: ', { dim: true }),
          flags.map((f) => `--${f}=${c?.flags.concurrency[f] ?? 'default'}`).join(' ') || 'unknown',
        ),
      );
      out.push(field('new value', d.value, true));
      const main = c ? mainConcurrencyFlag(c) : 'its main flag';
      const others = flags.filter((f) => f !== main);
      out.push(line(seg(`sets --${main} only; the Deployment rolls out. enter applies, esc cancels`, { dim: true })));
      if (others[0]) out.push(line(seg(`others by name: :tune ${d.controller} ${others[0]}=N`, { dim: true })));
      break;
    }
    case 'rate': {
      const c = state.controllers[d.controller];
      out.push(
        line(
          seg(`Client rate limits of ${d.controller}`, { bold: true }),
          c ? `  (${c.namespace}/${c.deployment})` : '',
        ),
      );
      out.push(
        line(
          seg('now: ', { dim: true }),
          `--kube-api-qps=${c?.flags.qps ?? 'default'} --kube-api-burst=${c?.flags.burst ?? 'default'}`,
        ),
      );
      out.push(field('QPS', d.qps, d.field === 0));
      out.push(field('burst', d.burst, d.field === 1));
      out.push(line(seg('tab switches field, enter applies, esc cancels', { dim: true })));
      break;
    }
    case 'confirm-quit':
      out.push(line(seg('A batch is still running.', { bold: true, color: 'warn' })));
      out.push(line('Quit anyway? The run is kept in the journal and resumes on the next start.'));
      out.push(line(seg('y quits, n or esc stays', { bold: true })));
      break;
  }
  if ('error' in d && d.error) out.push(line(seg(d.error, { color: 'error' })));
  return out;
}

export function footerLine(view: ViewState, state: ScaleState, width: number, scope: Scope, ctx: HelpContext): Line {
  if (view.input)
    return box(
      [line(seg(view.input.kind === 'command' ? ':' : '/', { bold: true }), view.input.text, seg('▏'))],
      width,
      1,
    )[0]!;
  if (view.message)
    return box(
      [line(seg(view.message.text, { color: view.message.level === 'error' ? 'error' : 'ok' }))],
      width,
      1,
    )[0]!;
  const status = state.status;
  if (status && status.level !== 'info' && Date.now() - status.t < 15_000)
    return box([line(seg(status.message, { color: status.level === 'error' ? 'error' : 'warn' }))], width, 1)[0]!;
  return box([line(seg(footerText(width, scope, ctx), { dim: true }))], width, 1)[0]!;
}
