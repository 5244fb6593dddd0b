import { xmlText } from './xml-text.js';

// The fixed parts of a minimal SpreadsheetML package, built as strings.

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT_SHEET = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml';

/** [Content_Types].xml for a workbook of `sheetCount` worksheets plus styles. */
export function contentTypesXml(sheetCount: number): string {
  let sheets = '';
  for (let i = 1; i <= sheetCount; i++) sheets += `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="${CT_SHEET}"/>`;
  return (
    XML_HEAD +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
    sheets +
    '</Types>'
  );
}

/** _rels/.rels: the package's pointer to xl/workbook.xml. */
export const ROOT_RELS =
  XML_HEAD +
  `<Relationships xmlns="${NS_PKG_REL}">` +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
  '</Relationships>';

/** xl/_rels/workbook.xml.rels: worksheets rId1..rIdN, then styles. */
export function workbookRelsXml(sheetCount: number): string {
  let rels = '';
  for (let i = 1; i <= sheetCount; i++) {
    rels += `<Relationship Id="rId${i}" Type="${NS_R}/worksheet" Target="worksheets/sheet${i}.xml"/>`;
  }
  rels += `<Relationship Id="rId${sheetCount + 1}" Type="${NS_R}/styles" Target="styles.xml"/>`;
  return XML_HEAD + `<Relationships xmlns="${NS_PKG_REL}">${rels}</Relationships>`;
}

/** A sheet of the workbook, with the autofilter range Excel should know about (if any). */
export interface WorkbookSheet {
  name: string;
  filterRef?: string | undefined;
}

/** workbook.xml; an autofilter also needs its hidden `_xlnm._FilterDatabase` name. */
export function workbookXml(sheets: readonly WorkbookSheet[], activeTab: number): string {
  let list = '';
  let names = '';
  sheets.forEach((s, i) => {
    list += `<sheet name="${xmlText(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`;
    if (s.filterRef) {
      const abs = s.filterRef.replace(/([A-Z]+)(\d+)/g, '$$$1$$$2');
      names += `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">'${xmlText(s.name.replace(/'/g, "''"))}'!${abs}</definedName>`;
    }
  });
  return (
    XML_HEAD +
    `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_R}">` +
    `<bookViews><workbookView activeTab="${activeTab}"/></bookViews>` +
    `<sheets>${list}</sheets>` +
    (names ? `<definedNames>${names}</definedNames>` : '') +
    '</workbook>'
  );
}

/** Opening of a worksheet part: optional frozen header row and column widths (undefined = default). */
export function worksheetStart(opts: { freezeHeader: boolean; widths: readonly (number | undefined)[] }): string {
  const pane = opts.freezeHeader
    ? '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    : '';
  let cols = '';
  opts.widths.forEach((w, i) => {
    if (w !== undefined) cols += `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`;
  });
  return (
    XML_HEAD +
    `<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_R}">` +
    `<sheetViews><sheetView workbookViewId="0">${pane}</sheetView></sheetViews>` +
    '<sheetFormatPr defaultRowHeight="15"/>' +
    (cols ? `<cols>${cols}</cols>` : '') +
    '<sheetData>'
  );
}

/** Closing of a worksheet part, with the autofilter range when given. */
export function worksheetEnd(filterRef?: string): string {
  return '</sheetData>' + (filterRef ? `<autoFilter ref="${filterRef}"/>` : '') + '</worksheet>';
}
