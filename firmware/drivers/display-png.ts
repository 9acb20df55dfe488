// Simulated display: the screen as a PNG file that is replaced (atomically) on every change, so a
// viewer or a test always reads a whole image.
import sharp from 'sharp'
import { writeFileDurable } from '../state/atomic.js'
import { renderScreen } from './render.js'
import type { DisplayDriver } from './types.js'

export function createPngDisplay (file: string, width = 800, height = 480): DisplayDriver {
  return {
    async show (screen) {
      const { rgba } = await renderScreen(screen, width, height)
      await writeFileDurable(file, await sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer(), 0o644)
    }
  }
}
