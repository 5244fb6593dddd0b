const ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Decodes the `_xHHHH_` escapes OOXML uses for characters XML cannot carry (`_x000D_` is a CR,
 * `_x005F_` escapes a literal underscore sequence).
 */
export function decodeOoxmlText(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(ESCAPE, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
