import iconv from 'iconv-lite';

/** Text encodings the CSV reader recognises. */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

/** A streaming decoder: bytes in, text out, multi-byte sequences split across chunks kept. */
export interface TextChunkDecoder {
  write(buf: Buffer): string;
  end(): string;
}

/**
 * Detects the encoding of a file from its first bytes.
 *
 * A BOM decides (UTF-8, UTF-16LE, UTF-16BE). Without one: UTF-16 when one byte of nearly every
 * pair is zero (BOM-less exports of ASCII-range text), UTF-8 when the sample is valid UTF-8,
 * else GB18030, the superset of GBK/GB2312 that Chinese Excel writes CSV in.
 *
 * @returns the encoding and how many BOM bytes to skip.
 */
export function detectEncoding(sample: Buffer): { encoding: CsvEncoding; bom: number } {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (sample.length >= 2 && sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (sample.length >= 2 && sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  const utf16 = guessUtf16(sample);
  if (utf16) return { encoding: utf16, bom: 0 };
  try {
    // stream: true so a multi-byte character cut at the end of the sample is not an error
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return { encoding: 'utf-8', bom: 0 };
  } catch {
    return { encoding: 'gb18030', bom: 0 };
  }
}

function guessUtf16(sample: Buffer): CsvEncoding | undefined {
  const pairs = Math.min(sample.length, 4096) >> 1;
  if (pairs < 2) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < pairs; i++) {
    if (sample[2 * i] === 0) evenZero++;
    if (sample[2 * i + 1] === 0) oddZero++;
  }
  if (oddZero > pairs * 0.6 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.6 && oddZero < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/** A streaming decoder for `encoding` (invalid sequences become U+FFFD, never an error). */
export function createDecoder(encoding: CsvEncoding): TextChunkDecoder {
  if (encoding === 'utf-8') {
    const d = new TextDecoder('utf-8', { ignoreBOM: true });
    return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
  }
  const d = iconv.getDecoder(encoding, { stripBOM: false });
  return { write: (b) => d.write(b), end: () => d.end() ?? '' };
}
