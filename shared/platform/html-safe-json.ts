const htmlSignificant = /[<>&\u2028\u2029]/g;
const escapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * JSON whose text holds no `<`, `>` or `&` (escaped as \u003c etc., the same JSON value): a stored
 * `<script>` from a lead or a profile stays inert even where a client drops the JSON into HTML.
 */
export function htmlSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(htmlSignificant, (c) => escapes[c] ?? c);
}
