// One line per subcommand module; the module owns its flags and help text.
import type { Command } from 'commander';
import { register as registerUi } from './ui.js';
import { register as registerDemo } from './demo.js';
import { register as registerDoctor } from './doctor.js';
import { register as registerSetup } from './setup.js';
import { register as registerBacking } from './backing.js';
import { register as registerCreate } from './create.js';
import { register as registerDelete } from './delete.js';
import { register as registerStatus } from './status.js';
import { register as registerHosts } from './hosts.js';
import { register as registerTune } from './tune.js';
import { register as registerFakeController } from './fake-controller.js';
import { register as registerReport } from './report.js';
import { register as registerSim } from './sim.js';
import { register as registerConfig } from './config.js';

export function registerCommands(program: Command): void {
  registerUi(program);
  registerDemo(program);
  registerDoctor(program);
  registerSetup(program);
  registerBacking(program);
  registerCreate(program);
  registerDelete(program);
  registerStatus(program);
  registerHosts(program);
  registerTune(program);
  registerFakeController(program);
  registerReport(program);
  registerSim(program);
  registerConfig(program);
}
