/**
 * The Debian amtool (Alertmanager 0.25) predates the webhook `url_file` field (Alertmanager 0.26;
 * Mimir 3.0's Alertmanager reads it). For amtool only, each `url_file: <path>` becomes a literal
 * placeholder URL; everything else is checked as rendered.
 */
export function forAmtool(configText: string): string {
  return configText.replace(/url_file: (\S+)/g, (_match, file: string) => `url: "http://url-file.invalid${file}"`);
}
