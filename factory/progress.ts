// Progress for long steps: bars on a terminal, a line per tenth when piped (logs stay readable),
// nothing at all for --json runs.
import cliProgress from 'cli-progress'

export interface Progress {
  stage: (name: string, total: number, done?: number) => void
  advance: (name: string, by: number) => void
  stop: () => void
}

export const silentProgress: Progress = { stage: () => {}, advance: () => {}, stop: () => {} }

export function barProgress (stream: NodeJS.WriteStream): Progress {
  const multi = new cliProgress.MultiBar({
    stream,
    format: '{stage} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted}',
    hideCursor: true,
    clearOnComplete: false
  }, cliProgress.Presets.shades_classic)
  const bars = new Map<string, cliProgress.SingleBar>()
  return {
    stage: (name, total, done = 0) => { bars.set(name, multi.create(total, done, { stage: name.padEnd(10) })) },
    advance: (name, by) => { bars.get(name)?.increment(by) },
    stop: () => { multi.stop() }
  }
}

export function lineProgress (write: (line: string) => void): Progress {
  const stages = new Map<string, { total: number, done: number, reportedTenths: number }>()
  return {
    stage: (name, total, done = 0) => {
      stages.set(name, { total, done, reportedTenths: Math.floor((done / total) * 10) })
      write(`${name}: ${done}/${total}`)
    },
    advance: (name, by) => {
      const stage = stages.get(name)
      if (stage === undefined) return
      stage.done += by
      const tenths = Math.floor((stage.done / stage.total) * 10)
      if (tenths > stage.reportedTenths) {
        stage.reportedTenths = tenths
        write(`${name}: ${stage.done}/${stage.total}`)
      }
    },
    stop: () => {}
  }
}
