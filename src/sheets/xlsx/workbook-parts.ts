import { posix } from 'node:path';
import { ERRORS } from '../../errors/index.js';
import { parseXmlPart, prefixedAttr } from './xml-part.js';
import type { ZipArchive } from './zip-archive.js';

/** One relationship of a part: its target part path (resolved) and type URI. */
export interface Relationship {
  target: string;
  type: string;
  external: boolean;
}

/** A sheet as workbook.xml lists it. */
export interface SheetRef {
  name: string;
  /** Part path of the sheet, resolved through the workbook's relationships ('' if unknown). */
  part: string;
  /** Relationship type tail: `worksheet`, `chartsheet`, `dialogsheet`… */
  kind: string;
  /** `state="hidden"` or `"veryHidden"` in workbook.xml. */
  hidden: boolean;
}

/** What the reader needs from workbook.xml and its relationships. */
export interface WorkbookInfo {
  sheets: SheetRef[];
  date1904: boolean;
  sharedStrings?: string;
  styles?: string;
}

/** Path of the relationships part of `part` (`xl/workbook.xml` → `xl/_rels/workbook.xml.rels`). */
function relsPathOf(part: string): string {
  const dir = posix.dirname(part);
  return posix.join(dir === '.' ? '' : dir, '_rels', posix.basename(part) + '.rels');
}

/** Resolves a relationship target against the folder of its source part. */
function resolveTarget(sourcePart: string, target: string): string {
  const t = target.replace(/\\/g, '/');
  if (t.startsWith('/')) return posix.normalize(t.slice(1));
  const dir = posix.dirname(sourcePart);
  return posix.normalize(posix.join(dir === '.' ? '' : dir, t));
}

const typeTail = (uri: string): string => uri.slice(uri.lastIndexOf('/') + 1);

/** Relationships of `part` by id; empty when it has no .rels part. */
export async function readRelationships(zip: ZipArchive, part: string, signal?: AbortSignal): Promise<Map<string, Relationship>> {
  const rels = new Map<string, Relationship>();
  const path = part === '' ? '_rels/.rels' : relsPathOf(part);
  if (!zip.has(path)) return rels;
  await parseXmlPart(
    zip,
    path,
    {
      open(name, a) {
        if (name !== 'Relationship' || !a.Id || a.Target === undefined) return;
        const external = a.TargetMode === 'External';
        rels.set(a.Id, { target: external ? a.Target : resolveTarget(part, a.Target), type: a.Type ?? '', external });
      },
    },
    signal,
  );
  return rels;
}

/**
 * The workbook part named by the package's `officeDocument` relationship (`_rels/.rels`),
 * falling back to `xl/workbook.xml` for packages without one.
 */
export async function findWorkbookPart(zip: ZipArchive, signal?: AbortSignal): Promise<string> {
  const rels = await readRelationships(zip, '', signal);
  for (const r of rels.values()) {
    if (typeTail(r.type) === 'officeDocument' && !r.external && zip.has(r.target)) return r.target;
  }
  if (zip.has('xl/workbook.xml')) return 'xl/workbook.xml';
  throw ERRORS.malformedFile('No workbook part found: the file is not an xlsx/xlsm workbook');
}

/** Reads workbook.xml (sheet names, date system) and its relationships (sheet parts, sst, styles). */
export async function readWorkbook(zip: ZipArchive, part: string, signal?: AbortSignal): Promise<WorkbookInfo> {
  const rels = await readRelationships(zip, part, signal);
  const raw: { name: string; rid: string; hidden: boolean }[] = [];
  let date1904 = false;
  await parseXmlPart(
    zip,
    part,
    {
      open(name, a) {
        if (name === 'sheet') {
          const hidden = a.state === 'hidden' || a.state === 'veryHidden';
          raw.push({ name: a.name ?? `Sheet${raw.length + 1}`, rid: prefixedAttr(a, 'id') ?? a.id ?? '', hidden });
        }
        else if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      },
    },
    signal,
  );
  const info: WorkbookInfo = {
    date1904,
    sheets: raw.map((s) => {
      const r = rels.get(s.rid);
      return { name: s.name, part: r && !r.external ? r.target : '', kind: r ? typeTail(r.type) : '', hidden: s.hidden };
    }),
  };
  for (const r of rels.values()) {
    const tail = typeTail(r.type);
    if (tail === 'sharedStrings' && zip.has(r.target)) info.sharedStrings = r.target;
    else if (tail === 'styles' && zip.has(r.target)) info.styles = r.target;
  }
  return info;
}
