/**
 * Timing functions per call on a shared machine: subjects timed side by
 * side, in rounds, each subject's fastest round kept (`timeSideBySide`).
 */

/** A function timed per call over its inputs. */
export interface Subject<T = unknown> {
  readonly items: readonly T[];
  readonly fn: (item: T) => unknown;
}

/**
 * One pass of `fn` over `items`; awaits only the last result, and only when
 * it is a promise: the handler does all its work before returning one, and
 * earlier ones settle first.
 */
async function pass<T>({ items, fn }: Subject<T>): Promise<number> {
  let last: unknown;
  for (const item of items) last = fn(item);
  if (last instanceof Promise) await last; // sync functions never wait
  return items.length;
}

/** ns per call of one round of at least `minMs`. */
async function round(subject: Subject, minMs: number): Promise<number> {
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    calls += await pass(subject);
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < BigInt(minMs) * 1000000n);
  return Number(elapsed) / calls;
}

/**
 * ns per call of each subject, measured side by side: after a warm-up of
 * `minMs * 4` each (so the JIT has settled), `rounds` rounds that each time
 * every subject in turn for at least `minMs`. Each subject's result is its
 * fastest round: noise on a shared machine only ever adds time, and
 * interleaving exposes every subject to the same noise.
 */
export async function timeSideBySide(subjects: readonly Subject[], minMs = 40, rounds = 15): Promise<number[]> {
  for (const subject of subjects) await round(subject, minMs * 4);
  const best = subjects.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < subjects.length; i++) best[i] = Math.min(best[i], await round(subjects[i], minMs));
  }
  return best;
}

/**
 * A value as Lambda hands it to the function: parsed from JSON, so that its
 * strings are flat, as a real event's are. Strings the bench builds by
 * concatenation stay V8 cons strings, which every subject would then read
 * through an extra indirection per character.
 */
export function asDelivered<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
