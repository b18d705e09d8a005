// Counting frames as they stream in, one counter per connection, without keeping the bytes.
// A frame must start with `<` (a syslog PRI); anything else, or a frame cut off by the end of
// the connection, counts as malformed.

const LT = 0x3c; // '<'
const SPACE = 0x20;
const LF = 0x0a;

export interface FrameCounter {
  /** Complete frames so far. */
  readonly frames: number;
  readonly malformed: number;
  push(chunk: Buffer): void;
  /** The connection ended: a frame left unfinished is malformed. */
  end(): void;
}

/** Devo's frames: one line each, ended by `\n`. */
export class LineFrameCounter implements FrameCounter {
  frames = 0;
  malformed = 0;
  private atLineStart = true;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.atLineStart && chunk[0] !== LT) this.malformed++;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      this.frames++;
      if (i + 1 < chunk.length && chunk[i + 1] !== LT) this.malformed++;
    }
    this.atLineStart = chunk[chunk.length - 1] === LF;
  }

  end(): void {
    if (!this.atLineStart) this.malformed++;
  }
}

/** RFC 6587 octet counting: `MSG-LEN SP MSG`, MSG-LEN in decimal octets. */
export class OctetFrameCounter implements FrameCounter {
  frames = 0;
  malformed = 0;
  /** Digits of MSG-LEN read so far (-1: none yet), or the octets of MSG still to skip. */
  private length = -1;
  private remaining = 0;
  private inMessage = false;
  private messageStart = false;
  /** After a framing error nothing on this connection can be trusted. */
  private broken = false;

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.broken) {
      if (this.inMessage) {
        if (this.messageStart) {
          if (chunk[i] !== LT) this.malformed++;
          this.messageStart = false;
        }
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) {
          this.frames++;
          this.inMessage = false;
          this.length = -1;
        }
        continue;
      }
      const byte = chunk[i++] as number;
      if (byte >= 0x30 && byte <= 0x39 && this.length < 1e9) {
        this.length = (this.length === -1 ? 0 : this.length * 10) + (byte - 0x30);
      } else if (byte === SPACE && this.length > 0) {
        this.inMessage = true;
        this.messageStart = true;
        this.remaining = this.length;
      } else {
        this.malformed++;
        this.broken = true;
      }
    }
  }

  end(): void {
    if (!this.broken && (this.inMessage || this.length !== -1)) this.malformed++;
  }
}
