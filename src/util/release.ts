/**
 * Frees big typed-array memory now rather than at some later collection. JSC keeps an unreachable ArrayBuffer's
 * bytes (malloc'd outside its heap) until the wrapper is swept, so a burst of dead receive buffers or a doubled
 * array's old copy inflates peak RSS; `transfer(0)` detaches the buffer and frees its bytes at once.
 */

/** Frees `a`'s whole buffer; `a` and every other view of that buffer become empty. */
export function release(a: { buffer: ArrayBufferLike }): void {
  (a.buffer as ArrayBuffer).transfer(0);
}

/** True when `a` spans its whole buffer (so it is not a slice of something shared, such as a pool or a chunk
 *  that other frames view). */
export function ownsBuffer(a: Uint8Array): boolean {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
}
