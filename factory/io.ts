// Where a command writes: the process's streams in the CLI, buffers in tests.
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  /** Whether stderr is a terminal (progress bars) or a pipe (progress lines). */
  errIsTty: boolean
  errStream?: NodeJS.WriteStream
}

export const processIo = (): CliIo => ({
  out: (text) => { process.stdout.write(text) },
  err: (text) => { process.stderr.write(text) },
  errIsTty: process.stderr.isTTY === true,
  errStream: process.stderr
})
