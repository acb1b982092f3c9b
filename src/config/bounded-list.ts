import { closest } from "../validate/mimir-keys.js";

/** How many known values an error message lists before it summarises the rest. */
export const MAX_LISTED = 8;

/**
 * `unknown tenant "x" (did you mean "y"?; known: a, b, c, … and 992 more)`: a did-you-mean hint
 * plus a capped list, so an error stays one readable line with a thousand tenants.
 */
export function unknownValueMessage(what: string, value: string, known: readonly string[]): string {
  const hint = closest(value, known);
  const shown = known.slice(0, MAX_LISTED).join(", ");
  const rest = known.length > MAX_LISTED ? `, … and ${known.length - MAX_LISTED} more` : "";
  return `unknown ${what} "${value}" (${hint ? `did you mean "${hint}"?; ` : ""}known: ${shown}${rest})`;
}
