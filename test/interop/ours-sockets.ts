/**
 * Creates our sockets for interop tests and closes every one of them afterwards (afterEach).
 */
import { Dealer, Pub, Rep, Req, Router, Sub, type RouterOptions, type Socket } from "../../src/zmtp/index.ts";

const CTORS = { DEALER: Dealer, ROUTER: Router, REQ: Req, REP: Rep, PUB: Pub, SUB: Sub } as const;
export type OurType = keyof typeof CTORS;
type Ours = { [K in OurType]: InstanceType<(typeof CTORS)[K]> };

const open = new Set<Socket>();

export function ours<T extends OurType>(type: T, opts: RouterOptions = {}): Ours[T] {
  const Ctor = CTORS[type] as unknown as new (o: RouterOptions) => Ours[T];
  const s = new Ctor({ linger: 0, ...opts });
  open.add(s as unknown as Socket);
  return s;
}

/** Closes every socket made by `ours` (afterEach). */
export async function closeOurs(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((s) => s.close().catch(() => {})));
}
