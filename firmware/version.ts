// The firmware version: the package's, read next to this module (source and dist/ alike).
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findPackageJson (from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      return readFileSync(join(dir, 'package.json'), 'utf8')
    } catch {
      if (dirname(dir) === dir) throw new Error('package.json not found')
    }
  }
}

export const FIRMWARE_VERSION = (JSON.parse(findPackageJson(dirname(fileURLToPath(import.meta.url)))) as { version: string }).version
