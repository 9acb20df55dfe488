import type { CliIo } from '../io.js'
import { barProgress, lineProgress, silentProgress, type Progress } from '../progress.js'

/** Progress goes to stderr, so stdout stays clean for --json and pipes. */
export function progressFor (io: CliIo, json: boolean): Progress {
  if (json) return silentProgress
  if (io.errIsTty && io.errStream !== undefined) return barProgress(io.errStream)
  return lineProgress((line) => io.err(`${line}\n`))
}
