// Where scale-tui's UI preferences live (XDG, like k9s): $SCALE_TUI_CONFIG_DIR, else
// $XDG_CONFIG_HOME/scale-tui, else ~/.config/scale-tui. `scale-tui info` prints it.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function uiConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCALE_TUI_CONFIG_DIR) return env.SCALE_TUI_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'scale-tui');
}

export const uiConfigPath = (env: NodeJS.ProcessEnv = process.env): string => join(uiConfigDir(env), 'config.yaml');
