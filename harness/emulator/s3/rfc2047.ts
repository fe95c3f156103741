/**
 * Non-ASCII user metadata (`x-amz-meta-*`): S3 decodes RFC 2047 encoded-words
 * in a value before storing it and returns a value that is not printable
 * US-ASCII as one `=?UTF-8?B?…?=` encoded-word (SDK v3 and boto3 hand that
 * string to the caller as is). Raw header bytes outside US-ASCII (SDK v3 and
 * boto3 send a value's UTF-8) are read as UTF-8 when they are valid UTF-8,
 * else as ISO-8859-1 (how Node hands header bytes over).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html#UserMetadata
 */

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

function charsetOf(name: string): BufferEncoding | undefined {
  const n = name.toLowerCase().replace(/\*.*$/, '');
  if (n === 'utf-8' || n === 'utf8') return 'utf8';
  if (n === 'iso-8859-1' || n === 'latin1' || n === 'us-ascii') return 'latin1';
  return undefined;
}

function decodeWord(charset: string, encoding: string, text: string): string | undefined {
  const cs = charsetOf(charset);
  if (!cs) return undefined;
  if (encoding.toUpperCase() === 'B') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
    return Buffer.from(text, 'base64').toString(cs);
  }
  // Q: `_` is a space, `=XX` a byte.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes).toString(cs);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A header value as S3 stores it: raw UTF-8 bytes as text, a value made only of encoded-words decoded. */
export function decodeMetadataValue(raw: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(raw)) {
    try {
      return UTF8.decode(Buffer.from(raw, 'latin1'));
    } catch {
      return raw;
    }
  }
  if (!raw.includes('=?')) return raw;
  // Only whole values of encoded-words (whitespace between words is dropped, RFC 2047 §6.2).
  if (raw.replace(ENCODED_WORD, '').trim() !== '') return raw;
  let out = '';
  for (const m of raw.matchAll(ENCODED_WORD)) {
    const word = decodeWord(m[1]!, m[2]!, m[3]!);
    if (word === undefined) return raw;
    out += word;
  }
  return out;
}

/** A stored value as S3 returns it in a header. */
export function encodeMetadataValue(value: string): string {
   
  if (/^[\t\x20-\x7e]*$/.test(value)) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
