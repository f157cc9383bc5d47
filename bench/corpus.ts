/** Deterministic synthetic text for benchmarks. */

/**
 * A synthetic corpus with a realistic word distribution: 2,000 generated words drawn with Zipf's
 * law (s = 1), so a few words are very common and most are rare, as in real text. Queries use the
 * same distribution (see run.ts), so some match thousands of discoveries and most match few.
 */
export const VOCABULARY = Array.from({ length: 2000 }, (_, i) => wordOf(i));

function wordOf(i: number): string {
  const syllables = ['ca', 'ro', 'ti', 'me', 'su', 'la', 'ken', 'dor', 'vi', 'pa', 'nel', 'qu', 'ar', 'ost', 'ix'];
  let n = i + 7;
  let w = '';
  do {
    w += syllables[n % syllables.length];
    n = Math.floor(n / syllables.length);
  } while (n > 0);
  return w;
}

const HARMONIC = VOCABULARY.reduce((acc, _w, i) => acc + 1 / (i + 1), 0);

/** Deterministic Zipf-distributed words from a seed. */
export function zipfWords(seed: number, n: number): string[] {
  const out: string[] = [];
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    let u = (x / 2 ** 32) * HARMONIC;
    let k = 0;
    while (k < VOCABULARY.length - 1 && u > 1 / (k + 1)) u -= 1 / ++k;
    out.push(VOCABULARY[k]!);
  }
  return out;
}
