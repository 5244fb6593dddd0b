/**
 * Full-jitter exponential backoff for job retries: `random(0, min(max, base · 2^attempt))`.
 *
 * `attempt` is the 0-based retry number (0 for the first retry). Pure (the random source is a
 * parameter) so the retry schedule can be unit-tested; the result is an integer in
 * `[0, min(max, base · 2^attempt))`.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(attempt, 0), 40);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exp);
  return Math.floor(random() * ceiling);
}
