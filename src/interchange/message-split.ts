/**
 * Cutting a batch of tasks or results into messages a receiver accepts: at most MAX_ITEMS_PER_MESSAGE items and
 * about MAX_BYTES_PER_MESSAGE bytes of payloads/values each (an item bigger than that goes alone). Receivers
 * refuse a message over their maxMessageSize (at least 64 MiB, and 4 × max_payload_bytes), and the interchange
 * batches whatever fits a manager's capacity or arrived for a client in one turn — with big payloads that is
 * bounded in count only. Pure.
 */
export const MAX_ITEMS_PER_MESSAGE = 4096;
export const MAX_BYTES_PER_MESSAGE = 16 * 1024 * 1024;

/** Consecutive runs of `items`; `bytes(item)` is what an item adds to the message. */
export function splitForMessages<T>(items: readonly T[], bytes: (item: T) => number, maxItems = MAX_ITEMS_PER_MESSAGE, maxBytes = MAX_BYTES_PER_MESSAGE): T[][] {
  const out: T[][] = [];
  let start = 0;
  let size = 0;
  for (let i = 0; i < items.length; i++) {
    const b = bytes(items[i]!);
    if (i > start && (i - start >= maxItems || size + b > maxBytes)) {
      out.push(items.slice(start, i));
      start = i;
      size = 0;
    }
    size += b;
  }
  if (start < items.length) out.push(items.slice(start));
  return out;
}
