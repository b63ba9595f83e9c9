/**
 * Runs async jobs one after another, in submission order. A partition's writes, rolls, flushes and
 * segment swaps go through one, so none of them sees another half done. A job submitted while
 * nothing runs starts at once, synchronously: an append's write then reaches the thread pool
 * before the caller goes on encoding its next batch, so encoding and disk work overlap.
 */
export class SerialExecutor {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.pending === 0 ? job() : this.tail.then(job);
    this.pending++;
    const settled = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    this.tail = settled;
    return result;
  }

  /** Resolves once every job submitted so far has finished. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
