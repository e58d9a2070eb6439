/**
 * Just enough of a ZIP reader to inspect a .vsix: the central directory, then each entry's
 * data (stored or deflated). No dependencies.
 */
import { inflateRawSync } from 'node:zlib'

export interface ZipEntry {
  name: string
  compressedSize: number
  size: number
  read(): Buffer
}

export function readZip(archive: Buffer): ZipEntry[] {
  const end = findEndOfCentralDirectory(archive)
  const count = archive.readUInt16LE(end + 10)
  let offset = archive.readUInt32LE(end + 16)
  const entries: ZipEntry[] = []
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(offset) !== 0x02014b50) throw new Error('bad central directory entry')
    const method = archive.readUInt16LE(offset + 10)
    const compressedSize = archive.readUInt32LE(offset + 20)
    const size = archive.readUInt32LE(offset + 24)
    const nameLength = archive.readUInt16LE(offset + 28)
    const extraLength = archive.readUInt16LE(offset + 30)
    const commentLength = archive.readUInt16LE(offset + 32)
    const localOffset = archive.readUInt32LE(offset + 42)
    const name = archive.toString('utf8', offset + 46, offset + 46 + nameLength)
    entries.push({
      name,
      compressedSize,
      size,
      read() {
        if (archive.readUInt32LE(localOffset) !== 0x04034b50)
          throw new Error(`bad local header for ${name}`)
        const dataStart =
          localOffset +
          30 +
          archive.readUInt16LE(localOffset + 26) +
          archive.readUInt16LE(localOffset + 28)
        const data = archive.subarray(dataStart, dataStart + compressedSize)
        if (method === 0) return Buffer.from(data)
        if (method === 8) return inflateRawSync(data)
        throw new Error(`unsupported compression method ${method} for ${name}`)
      },
    })
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

function findEndOfCentralDirectory(archive: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  for (
    let offset = archive.length - 22;
    offset >= Math.max(0, archive.length - 22 - 65_535);
    offset--
  ) {
    if (archive.readUInt32LE(offset) === 0x06054b50) return offset
  }
  throw new Error('not a zip file (no end of central directory record)')
}
