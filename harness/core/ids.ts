/**
 * The id/random source (DESIGN.md principle 6): execution ids, task tokens,
 * request ids and retry jitter all come from here, so the same seed gives the
 * same history.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface IdSource {
  /** Uniform in [0, 1). */
  random(): number;
  /** An RFC 4122 version-4 shaped UUID. */
  uuid(): string;
  /** `bytes` random bytes as lowercase hex. */
  hex(bytes: number): string;
  /** An opaque token (task tokens): URL-safe base64 of 96 random bytes, like AWS's long tokens. */
  token(): string;
  /** An independent source derived from this one's seed and `label` (one per execution, per function…). */
  fork(label: string): IdSource;
}

/** sfc32: small, fast, well-distributed; state seeded from SHA-256 of the seed text. */
class SeededIdSource implements IdSource {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(private readonly seed: string) {
    const h = createHash('sha256').update(seed).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.next();
  }

  private next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  random(): number {
    return this.next() / 4294967296;
  }

  private bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }

  hex(bytes: number): string {
    return this.bytes(bytes).toString('hex');
  }

  uuid(): string {
    return formatUuid(this.bytes(16));
  }

  token(): string {
    const t = this.bytes(96).toString('base64url');
    // A leading '-' reads as an option on a command line (`aws stepfunctions send-task-success --task-token -x…`,
    // `--upload-id`); AWS's tokens never start with one.
    return t.startsWith('-') ? `A${t.slice(1)}` : t;
  }

  fork(label: string): IdSource {
    return new SeededIdSource(`${this.seed}/${label}`);
  }
}

function formatUuid(b: Buffer): string {
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A seeded source when `seed` is given, otherwise seeded from the OS's randomness. */
export function createIdSource(seed?: number | string): IdSource {
  return new SeededIdSource(randomSeedOr(seed));
}

function randomSeedOr(seed: number | string | undefined): string {
  return seed === undefined ? randomBytes(16).toString('hex') : String(seed);
}

/**
 * An id source that can start over from a new seed (an emulator restoring a
 * snapshot for the next scenario: the same seed must give the same ids
 * whatever ran before). Its forks follow: a fork is the seed path
 * `<root seed>/<label>/…`, re-derived fresh (nothing consumed) the first time it
 * is used after a reseed — exactly what forking the new seed would give — so
 * a service can keep the forks it made at construction.
 */
export class ReseedableIdSource implements IdSource {
  private inner: SeededIdSource;
  private seedText: string;
  /** Bumped by every reseed; forks compare it to know they must re-derive. */
  generation = 0;

  constructor(seed?: number | string) {
    this.seedText = randomSeedOr(seed);
    this.inner = new SeededIdSource(this.seedText);
  }

  get seed(): string {
    return this.seedText;
  }

  reseed(seed: number | string): void {
    this.seedText = String(seed);
    this.inner = new SeededIdSource(this.seedText);
    this.generation++;
  }

  random(): number {
    return this.inner.random();
  }
  uuid(): string {
    return this.inner.uuid();
  }
  hex(bytes: number): string {
    return this.inner.hex(bytes);
  }
  token(): string {
    return this.inner.token();
  }
  fork(label: string): IdSource {
    return new DerivedIdSource(this, label);
  }
}

class DerivedIdSource implements IdSource {
  private inner: SeededIdSource | undefined;
  private generation = -1;

  constructor(
    private readonly root: ReseedableIdSource,
    private readonly path: string,
  ) {}

  private current(): SeededIdSource {
    if (!this.inner || this.generation !== this.root.generation) {
      this.inner = new SeededIdSource(`${this.root.seed}/${this.path}`);
      this.generation = this.root.generation;
    }
    return this.inner;
  }

  random(): number {
    return this.current().random();
  }
  uuid(): string {
    return this.current().uuid();
  }
  hex(bytes: number): string {
    return this.current().hex(bytes);
  }
  token(): string {
    return this.current().token();
  }
  fork(label: string): IdSource {
    return new DerivedIdSource(this.root, `${this.path}/${label}`);
  }
}
