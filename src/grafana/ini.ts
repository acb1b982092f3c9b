/**
 * A tiny INI writer and reader for grafana.ini. Grafana reads it with go-ini: `[section]` headers,
 * `key = value` lines, `;`/`#` comments. Values are written unquoted; the writer refuses values that
 * go-ini would read differently (line breaks, leading/trailing blanks, a leading quote).
 */

/** Section name → key → value; `undefined` values are left out. */
export type IniDocument = Readonly<Record<string, Readonly<Record<string, string | number | boolean | undefined>>>>;

const KEY = /^[a-z_][a-z0-9_.]*$/;
const SECTION = /^[a-z_][a-z0-9_.]*$/;

/** Renders sections in the given order, keys in the given order. */
export function renderIni(doc: IniDocument, header: readonly string[] = []): string {
  const lines: string[] = header.map((line) => `; ${line}`);
  for (const [section, values] of Object.entries(doc)) {
    if (!SECTION.test(section)) throw new Error(`grafana.ini: invalid section name "${section}"`);
    const entries = Object.entries(values).filter(([, value]) => value !== undefined);
    if (entries.length === 0) continue;
    if (lines.length > 0) lines.push("");
    lines.push(`[${section}]`);
    for (const [key, value] of entries) {
      if (!KEY.test(key)) throw new Error(`grafana.ini: invalid key "${section}.${key}"`);
      const text = String(value);
      if (/[\r\n]/.test(text) || text !== text.trim() || /^["'`]/.test(text)) {
        throw new Error(`grafana.ini: ${section}.${key}: value cannot be written unquoted: ${JSON.stringify(text)}`);
      }
      lines.push(`${key} = ${text}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Parses INI text into section → key → value (keys before any section land in ""). Throws on malformed lines and duplicates. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const doc: Record<string, Record<string, string>> = { "": {} };
  let section = "";
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim();
      if (section in doc) throw new Error(`line ${index + 1}: section [${section}] appears twice`);
      doc[section] = {};
      return;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`line ${index + 1}: expected "key = value", got ${JSON.stringify(raw)}`);
    const key = line.slice(0, eq).trim();
    if (key in doc[section]!) throw new Error(`line ${index + 1}: key ${key} appears twice in [${section}]`);
    doc[section]![key] = line.slice(eq + 1).trim();
  });
  return doc;
}
