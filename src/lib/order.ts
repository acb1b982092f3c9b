/**
 * Locale-independent string order (UTF-16 code units), for everything that ends up in generated
 * files: `localeCompare` follows the machine's locale and could order differently in CI.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
