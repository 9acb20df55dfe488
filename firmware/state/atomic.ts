// Crash-safe file replacement: write a temp file, fsync it, rename it over the target, fsync the
// directory. After a power cut the target holds the old or the new content, whole, never a mix
// (rename is atomic on POSIX file systems; the fsyncs order the data before the rename on disk).
import { randomBytes } from 'node:crypto'
import { open, readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

const TEMP_MARK = '.tmp-'

export async function writeFileDurable (path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}${TEMP_MARK}${randomBytes(4).toString('hex')}`)
  try {
    const file = await open(temp, 'w', mode)
    try {
      await file.writeFile(data)
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  await syncDirectory(dir)
}

async function syncDirectory (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Removes temp files a killed writer left behind next to `path`. */
export async function removeStaleTemps (path: string): Promise<void> {
  const prefix = `.${basename(path)}${TEMP_MARK}`
  const names = await readdir(dirname(path)).catch(() => [] as string[])
  await Promise.all(names.filter((name) => name.startsWith(prefix)).map((name) => rm(join(dirname(path), name), { force: true })))
}
