/** ZMTP socket type names and which peers each may talk to (RFC 23's compatibility rules). */
export const SOCKET_TYPES = {
  pair: "PAIR",
  pub: "PUB",
  sub: "SUB",
  req: "REQ",
  rep: "REP",
  dealer: "DEALER",
  router: "ROUTER",
  pull: "PULL",
  push: "PUSH",
  xpub: "XPUB",
  xsub: "XSUB",
} as const;
export type SocketType = (typeof SOCKET_TYPES)[keyof typeof SOCKET_TYPES];

export const COMPATIBLE: Readonly<Record<SocketType, readonly SocketType[]>> = {
  PAIR: ["PAIR"],
  PUB: ["SUB", "XSUB"],
  SUB: ["PUB", "XPUB"],
  XPUB: ["SUB", "XSUB"],
  XSUB: ["PUB", "XPUB"],
  REQ: ["REP", "ROUTER"],
  REP: ["REQ", "DEALER"],
  DEALER: ["REP", "DEALER", "ROUTER"],
  ROUTER: ["REQ", "DEALER", "ROUTER"],
  PULL: ["PUSH"],
  PUSH: ["PULL"],
};

export function isCompatible(ours: SocketType, theirs: string): boolean {
  return (COMPATIBLE[ours] as readonly string[]).includes(theirs.toUpperCase());
}

/** Socket types whose READY carries an Identity property (as libzmq does). */
export function sendsIdentity(t: SocketType): boolean {
  return t === "REQ" || t === "DEALER" || t === "ROUTER";
}
