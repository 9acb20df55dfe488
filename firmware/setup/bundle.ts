// The setup page's script (ui/box-setup, built by `npm run build:ui` into ui/dist-box-setup): read
// once at start. Without it the box serves its plain page alone, which works without scripts.
import { readFile } from 'node:fs/promises'

const CANDIDATES = [
  new URL('../../ui/dist-box-setup/box-setup.js', import.meta.url), // running from source (tsx)
  new URL('../../../ui/dist-box-setup/box-setup.js', import.meta.url) // running from dist/firmware
]

export async function loadSetupBundle (): Promise<string | undefined> {
  for (const candidate of CANDIDATES) {
    const script = await readFile(candidate, 'utf8').catch(() => undefined)
    if (script !== undefined) return script
  }
  return undefined
}
