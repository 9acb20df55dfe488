// A minimal POSIX ustar writer, enough to hand Docker's archive API (putArchive) a directory and a few
// small files with owner and mode set. Pure: entries in, tar bytes out.
export interface TarEntry {
  /** Relative path; a trailing `/` makes a directory. */
  path: string
  content?: Buffer
  mode: number
  uid: number
  gid: number
}

function octal (value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

function header (entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(512)
  if (Buffer.byteLength(entry.path) > 100) throw new TypeError(`tar path ${entry.path} is longer than 100 bytes`)
  block.write(entry.path, 0, 100, 'utf8')
  block.write(octal(entry.mode, 8), 100, 'ascii')
  block.write(octal(entry.uid, 8), 108, 'ascii')
  block.write(octal(entry.gid, 8), 116, 'ascii')
  block.write(octal(size, 12), 124, 'ascii')
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii')
  block.write(entry.path.endsWith('/') ? '5' : '0', 156, 'ascii')
  block.write('ustar\0', 257, 'ascii')
  block.write('00', 263, 'ascii')
  // The checksum is computed with its own field read as eight spaces (POSIX ustar).
  block.fill(' ', 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(octal(sum, 7) + ' ', 148, 'ascii')
  return block
}

export function tar (entries: TarEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const content = entry.content ?? Buffer.alloc(0)
    parts.push(header(entry, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}
