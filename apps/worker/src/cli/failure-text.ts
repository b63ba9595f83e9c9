/** A failure's messages (and causes) without the stack frames, which say nothing to a user. */
export function withoutFrames(trace: string): string {
  return trace
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join('\n');
}
