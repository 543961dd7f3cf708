/** configs/local.toml, compiled into the binary: the config fx uses when given none. */
import text from "../../configs/local.toml" with { type: "text" };

export const EMBEDDED_DEFAULT_TOML: string = text as unknown as string;
