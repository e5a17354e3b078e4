// Live tuning of a management controller: its log verbosity (via /debug/flags/v when the
// binary serves it, else a patched --v and a rollout) and its flags (a patched Deployment).
// The how lives in src/engine/tune/; this module journals and logs what changed.
import type { ControllerId, TuneRequest } from '../../core/types.js';
import { tune as tuneController } from '../tune/tune.js';
import { setVerbosity } from '../tune/verbosity.js';
import type { EngineScope } from './scope.js';

export async function tune(scope: EngineScope, controller: ControllerId, request: TuneRequest): Promise<void> {
  const { verbosity, ...flags } = request;
  const client = scope.management.client;
  if (verbosity !== undefined) {
    const v = await setVerbosity(client, controller, verbosity);
    const { before, after, via } = v;
    scope.write({
      t: scope.now(),
      type: 'verbosity',
      controller,
      before,
      after,
      via,
      ...(v.pods ? { pod: v.pods.join(',') } : {}),
    });
    const how =
      via === 'debug-flags'
        ? 'live via PUT /debug/flags/v'
        : `patched --v and rolled out${v.note ? ` (${v.note})` : ''}`;
    scope.log('info', `${controller}: log verbosity ${before} -> ${after}, ${how}`);
    if (Object.values(flags).every((x) => x === undefined)) return;
  }
  const result = await tuneController(client, controller, flags);
  scope.write({ t: scope.now(), type: 'tune', controller, before: result.before, after: result.after });
  scope.log('info', `tuned ${controller}: ${result.argsAfter.join(' ')}`);
}
