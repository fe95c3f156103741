/**
 * The checksums S3 accepts (flexible checksums: CRC32, CRC32C, CRC64NVME,
 * SHA1, SHA256) plus Content-MD5, each as base64 of the big-endian digest —
 * the form `x-amz-checksum-*` headers and trailers carry.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import type { Crc32c } from '@aws-crypto/crc32c';
import { requireCommonJs } from '../core/commonjs.ts';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** `x-amz-checksum-crc32` → `CRC32`. */
export function algorithmOfHeader(header: string): ChecksumAlgorithm | undefined {
  const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(header.toLowerCase());
  if (!m) return undefined;
  return CHECKSUM_ALGORITHMS.find((a) => a.toLowerCase() === m[1]);
}

export function headerOfAlgorithm(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function parseAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined;
  return CHECKSUM_ALGORITHMS.find((a) => a === value.toUpperCase());
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** An incremental digest over chunks, finishing as base64. */
export interface Digester {
  update(chunk: Buffer): void;
  digest(): string;
}

class NodeHashDigester implements Digester {
  private readonly h;
  constructor(name: string) {
    this.h = createHash(name);
  }
  update(chunk: Buffer): void {
    this.h.update(chunk);
  }
  digest(): string {
    return this.h.digest('base64');
  }
}

class Crc32Digester implements Digester {
  private v = 0;
  update(chunk: Buffer): void {
    this.v = zlibCrc32(chunk, this.v);
  }
  digest(): string {
    return u32(this.v).toString('base64');
  }
}

class Crc32cDigester implements Digester {
  // Loaded by the first CRC32C checksum (≈ 4 ms, eleven files): most runs never send one.
  private readonly c: Crc32c = new (requireCommonJs('@aws-crypto/crc32c') as typeof import('@aws-crypto/crc32c')).Crc32c();
  update(chunk: Buffer): void {
    this.c.update(chunk);
  }
  digest(): string {
    return u32(this.c.digest()).toString('base64');
  }
}

// CRC-64/NVME (reflected, poly 0x9a6c9329ac4bc9b5, init/xorout all ones).
// BigInt is slow but CRC64NVME is opt-in for clients; correctness matters more here.
const CRC64_POLY = 0x9a6c9329ac4bc9b5n;
const MASK64 = 0xffffffffffffffffn;
let crc64Table: BigUint64Array | undefined;
function crc64NvmeTable(): BigUint64Array {
  if (crc64Table) return crc64Table;
  crc64Table = new BigUint64Array(256);
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ CRC64_POLY : c >> 1n;
    crc64Table[i] = c;
  }
  return crc64Table;
}

class Crc64NvmeDigester implements Digester {
  private v = MASK64;
  update(chunk: Buffer): void {
    const t = crc64NvmeTable();
    let v = this.v;
    for (let i = 0; i < chunk.length; i++) v = t[Number((v ^ BigInt(chunk[i]!)) & 0xffn)]! ^ (v >> 8n);
    this.v = v;
  }
  digest(): string {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE((this.v ^ MASK64) & MASK64);
    return b.toString('base64');
  }
}

export function createDigester(algorithm: ChecksumAlgorithm | 'MD5'): Digester {
  switch (algorithm) {
    case 'CRC32':
      return new Crc32Digester();
    case 'CRC32C':
      return new Crc32cDigester();
    case 'CRC64NVME':
      return new Crc64NvmeDigester();
    case 'SHA1':
      return new NodeHashDigester('sha1');
    case 'SHA256':
      return new NodeHashDigester('sha256');
    case 'MD5':
      return new NodeHashDigester('md5');
  }
}

export function checksumOf(algorithm: ChecksumAlgorithm | 'MD5', data: Buffer | Buffer[]): string {
  const d = createDigester(algorithm);
  for (const c of Array.isArray(data) ? data : [data]) d.update(c);
  return d.digest();
}

/** True when `value` is base64 that decodes to exactly `bytes` bytes. */
export function isBase64Digest(value: string, bytes: number): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').length === bytes;
}

export const DIGEST_BYTES: Record<ChecksumAlgorithm | 'MD5', number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
  MD5: 16,
};
