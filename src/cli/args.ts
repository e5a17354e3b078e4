// Shared option parsers: a bad value names the option and the allowed range.
import { InvalidArgumentError } from 'commander';

export function intInRange(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got "${value}".`);
    }
    const n = Number(value);
    if (n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be from ${min} to ${max}, got ${n}.`);
    }
    return n;
  };
}
