export {
  CONTROLLERS,
  controllerSpec,
  readFlags,
  effectiveFlags,
  applyTune,
  requestedChanges,
  type ControllerSpec,
} from '../../core/tune/flags.js';
export { tuneWarnings, versionDefaults, type ProviderVersions, type BinaryDefaults } from './warnings.js';
export { SEED_PATCH, seedPatchArgs } from './seed-patch.js';
export {
  tune,
  showControllers,
  readControllerArgs,
  type TuneResult,
  type ControllerView,
  type DeploymentApi,
} from './tune.js';
export { waitForRollout, rolloutPending, type RolloutOptions } from '../../core/tune/rollout.js';
export { controllerStatusBase, type ControllerStatusBase } from '../../state/controller-status.js';
