/**
 * The XML the test OSS server reads and writes: OSS's error document, result documents, and the
 * two request bodies it parses (CompleteMultipartUpload, Delete).
 */
import type { OssFault } from './auth.js';

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#\d+);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : e === 'amp' ? '&' : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );

type Tree = { [tag: string]: string | number | boolean | Tree | Tree[] | undefined };

function render(tree: Tree): string {
  return Object.entries(tree)
    .filter(([, v]) => v !== undefined)
    .map(([tag, v]) => {
      if (Array.isArray(v)) return v.map((item) => `<${tag}>${render(item)}</${tag}>`).join('');
      if (typeof v === 'object') return `<${tag}>${render(v as Tree)}</${tag}>`;
      return `<${tag}>${escapeXml(String(v))}</${tag}>`;
    })
    .join('');
}

/** `<?xml …?><Root>…</Root>` from a plain object (arrays repeat their tag). */
export function xmlDocument(root: string, tree: Tree): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${render(tree)}</${root}>`;
}

/** OSS's error document: Code, Message, RequestId, HostId, extra fields, EC. */
export function errorXml(f: OssFault, requestId: string, host: string): string {
  const extra: Tree = { ...f.fields };
  return xmlDocument('Error', { Code: f.code, Message: f.message, RequestId: requestId, HostId: host, ...extra, EC: f.ec });
}

/** Text of every `<tag>…</tag>` inside `xml`, unescaped, in order. */
export function allTags(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => unescapeXml(m[1]!));
}

/** Blocks `<tag>…</tag>` (raw inner XML) in order. */
export function blocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}
