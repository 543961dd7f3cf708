/** The fx release and the wire-protocol version its roles speak. */
import pkg from "../package.json" with { type: "json" };

export const FX_VERSION: string = pkg.version;
/** Bumped on any incompatible change to a message in src/protocol. Managers of another version are refused. */
export const PROTOCOL_VERSION = 2;
