// Placeholder for subcommands whose capability has not landed yet; it fails loudly.
import { UserError } from '../../core/errors.js';

export function notYet(name: string): () => never {
  return () => {
    throw new UserError(
      `"${name}" is not implemented in this build yet`,
      'See the README for the subcommands that are available.',
    );
  };
}
