// `scale-tui` (the default command): the full-screen control center on a real management
// cluster. The same engine as the headless subcommands; the run in the state dir is picked
// up where it was left, so quitting (or a dropped SSH session) loses nothing.
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { UserError } from '../../core/errors.js';
import { appendLog } from '../../state/store.js';
import { openSession, sessionOptions, type SessionOpts } from './create.js';
import { loadTui } from '../tui-loader.js';
import { loadPrefs } from '../../ui/config/prefs.js';
import { prometheusOption, startSessionMetrics } from '../session-metrics.js';
import { routeCrashLog } from '../crash.js';
import { join } from 'node:path';
import { KubeClient } from '../../core/kube/client.js';
import { clusterDetailActions } from '../../engine/describe/actions.js';

export function register(program: Command): void {
  sessionOptions(
    program.command('ui', { isDefault: true }).description('open the full-screen control center (default)'),
  )
    .option(
      '--read-only',
      'watch only: hide and refuse every action that changes clusters (create, delete, tune, pause)',
    )
    .option(
      '--prometheus <url>',
      "read controller metrics (workqueue, reconciles, REST) from this Prometheus instead of each pod's /metrics",
    )
    .action(
      action(async (opts: SessionOpts & { readOnly?: boolean; prometheus?: string }) => {
        const prometheus = prometheusOption(opts.prometheus);
        // Checked before connecting anywhere: a non-TTY start is a usage error, not a failed run.
        if (!process.stdin.isTTY || !process.stdout.isTTY) {
          throw new UserError(
            'the TUI needs an interactive terminal (stdin and stdout are not a TTY)',
            'Run it in a terminal (over ssh use `ssh -t`), or use the headless subcommands: scale-tui create/status/delete/report.',
          );
        }
        const tui = await loadTui();
        const session = await openSession(program, opts);
        const { engine, store } = session;
        const metrics = startSessionMetrics(session, prometheus, loadPrefs().prefs.log.controllerLines);
        // Half-done work from an earlier session continues in the background while the UI runs;
        // a read-only session (someone watching a shared VM) leaves it to the session that owns it.
        if (opts.readOnly) appendLog(store, 'info', 'read-only: half-done work is not resumed from this session');
        else
          void engine.resumeRun().then(
            (s) =>
              s.requested > 0 &&
              appendLog(store, 'info', `resumed run: ${s.ready} ready, ${s.failed} failed of ${s.requested}`),
            (err: Error) => appendLog(store, 'error', `resume failed: ${err.message}`),
          );
        // A stray rejection while the UI runs goes to its log pane (already redacted), not
        // under the frame where the next redraw would erase it.
        routeCrashLog((line) => appendLog(store, 'error', line));
        try {
          await tui.runTui({
            store,
            intents: engine,
            title: 'scale-tui',
            defaultCount: session.config.batch.size,
            readOnly: Boolean(opts.readOnly),
            detail: clusterDetailActions(KubeClient.from(session.management), engine, {
              farm: session.config.topology === 'farm',
            }),
            saveDir: join(session.stateDir, 'logs'),
          });
        } finally {
          routeCrashLog(undefined);
          await metrics.stop();
          await engine.shutdown();
        }
      }),
    );
}
