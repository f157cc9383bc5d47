/** Streamed markdown in blocks (no DOM here: unit tested in Node). */

/**
 * Where the finished blocks of streamed markdown end: the last blank line after `from` outside a
 * code fence, or `from` when there is none yet. Blocks before it are drawn once; only the rest is
 * drawn again on each frame, so a long answer costs the same per frame as a short one.
 */
export function finishedBlocks(text: string, from: number): number {
  let at = text.lastIndexOf('\n\n');
  while (at > from) {
    const fences = (text.slice(from, at).match(/^\s*(```|~~~)/gm) ?? []).length;
    if (fences % 2 === 0) return at + 2;
    at = text.lastIndexOf('\n\n', at - 1);
  }
  return from;
}
