import { InvalidArgumentError } from 'commander';

/** A mistake in the command line: printed as a message, without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A commander argument parser for counts and indexes: whole numbers from `min` up. */
export function wholeNumber(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number of at least ${min}, not "${text}"`);
    return n;
  };
}
