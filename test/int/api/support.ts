/**
 * Shared bits of the API integration tests: multipart bodies, a minimal XLSX, job driving.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import yazl from 'yazl';
import type { JobStore } from '../../../src/jobs/types.js';

export interface FilePart {
  name: string;
  filename: string;
  content: Buffer | string;
  contentType?: string;
}

/** A multipart/form-data body built by hand (so tests control every byte). */
export function multipart(fields: Record<string, string>, files: FilePart[]): { body: Buffer; contentType: string } {
  const boundary = `----sheetdiff${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\n` +
          `Content-Type: ${f.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const OLD_CSV = 'id,name,qty\n1,apple,3\n2,pear,5\n';
export const NEW_CSV = 'id,name,qty\n1,apple,4\n3,plum,1\n';

/** The smallest valid workbook: one sheet with a header and one row. */
export async function minimalXlsx(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const add = (name: string, xml: string) => zip.addBuffer(Buffer.from(xml), name);
  add(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  );
  add(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  );
  add(
    'xl/workbook.xml',
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
  );
  add(
    'xl/_rels/workbook.xml.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
  );
  add(
    'xl/worksheets/sheet1.xml',
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
      '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>qty</t></is></c></row>' +
      '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>4</v></c></row></sheetData></worksheet>',
  );
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** POSTs a compare upload through inject. */
export function upload(
  app: FastifyInstance,
  opts: { fields?: Record<string, string>; files?: FilePart[]; headers?: Record<string, string>; url?: string } = {},
): Promise<LightMyRequestResponse> {
  const files = opts.files ?? [
    { name: 'file1', filename: 'old.csv', content: OLD_CSV },
    { name: 'file2', filename: 'new.csv', content: NEW_CSV },
  ];
  const { body, contentType } = multipart(opts.fields ?? { key: 'id' }, files);
  return app.inject({
    method: 'POST',
    url: opts.url ?? '/api/v1/compare/jobs',
    payload: body,
    headers: { 'content-type': contentType, ...opts.headers },
  });
}

/** The `name=value` of the account cookie from a response, for the next request's Cookie header. */
export function cookieOf(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'sd_account');
  if (!c) throw new Error('no account cookie in response');
  return `${c.name}=${c.value}`;
}

/** Moves a job along the lifecycle through the store's CAS transitions (as the workers would). */
export async function driveToReady(
  jobs: JobStore,
  id: string,
  artefacts: Record<string, string>,
): Promise<void> {
  const steps: [string, string, Record<string, unknown>?][] = [
    ['queued', 'comparing'],
    ['comparing', 'compared'],
    ['compared', 'paid', { paid: true }],
    ['paid', 'exporting'],
    ['exporting', 'ready', { artefacts }],
  ];
  for (const [from, to, patch] of steps) {
    const ok = await jobs.transition(id, {
      from: [from as never],
      to: to as never,
      ...(patch ? { patch } : {}),
      event: { type: `test_${to}` },
    });
    if (!ok) throw new Error(`transition ${from} → ${to} not applied`);
  }
}
