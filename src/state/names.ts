// File names for state keys. Input and service names come from the configuration, so
// they may hold anything ("/", "..", spaces, accents). Each name maps to one file name
// made only of [A-Za-z0-9_.-] and "%XX" escapes (UTF-8 bytes), which is reversible, so
// two names never share a file and no name can leave the state folder.
//
// A leading "." is escaped too: names never look like "." or "..", and never clash with
// Siphon's own dot files (".lock", temp files). Limitation: on case-insensitive file
// systems (macOS, Windows defaults) "Audit" and "audit" share a file.

const HEX = '0123456789ABCDEF';

function isSafeByte(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) || // 0-9
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    b === 0x5f || // _
    b === 0x2e || // .
    b === 0x2d // -
  );
}

/** Encodes a name as a safe file name. The empty name becomes "%" (never produced otherwise). */
export function encodeName(name: string): string {
  if (name === '') return '%';
  const bytes = Buffer.from(name, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (isSafeByte(b) && !(i === 0 && b === 0x2e)) out += String.fromCharCode(b);
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** The name a file name stands for, or undefined when encodeName would not have produced it. */
export function decodeName(encoded: string): string | undefined {
  if (encoded === '%') return '';
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charCodeAt(i);
    if (c === 0x25) {
      const hex = encoded.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (isSafeByte(c)) {
      bytes.push(c);
    } else {
      return undefined;
    }
  }
  const name = Buffer.from(bytes).toString('utf8');
  // Rejects needless escapes and invalid UTF-8: only canonical names map back to a key.
  return encodeName(name) === encoded ? name : undefined;
}
