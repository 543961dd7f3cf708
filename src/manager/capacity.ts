/**
 * How many tasks the manager asks the interchange for, and when it tells it. Pure.
 *
 * Each worker gets one running hand-off plus one ready hand-off of `depth` tasks (so it never waits a round trip
 * to the interchange), or a single slot when tasks are long (depth 1: nothing queued behind a running task).
 */

export interface CapacityInput {
  readonly workerCount: number;
  readonly depth: number;
  readonly prefetch: number;
  /** Tasks held now (queued + handed to workers). */
  readonly held: number;
}

export function managerCapacity(c: CapacityInput): number {
  const perWorker = c.depth === 1 ? 1 : 2 * c.depth;
  return Math.max(0, c.workerCount * perWorker + c.prefetch - c.held);
}

/**
 * Whether to send a `request`: when we can take more than the interchange believes (its view is our last request
 * minus the tasks received since), or when we want much less than it believes (tasks turned long). Never per task.
 */
export function shouldRequest(capacity: number, believed: number): boolean {
  const b = Math.max(0, believed);
  return capacity > b || (capacity < b / 2 && believed !== capacity);
}
