export { CONTROLLERS, controllerSpec, readFlags, effectiveFlags, applyTune, type ControllerSpec } from './flags.js';
export { tune, showControllers, readControllerArgs, type TuneResult, type ControllerView, type DeploymentApi } from './tune.js';
export { waitForRollout, rolloutPending, type RolloutOptions } from './rollout.js';
export { controllerStatusBase, type ControllerStatusBase } from './status.js';
