// The Docker Compose command line, v2 plugin (`docker compose`) or standalone (`docker-compose`),
// whichever this machine has, as a test component.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Component } from './components.js'

const run = promisify(execFile)

const CANDIDATES: string[][] = [['docker', 'compose'], ['docker-compose']]

/** Resolves to the command that runs Compose here; rejects naming what was tried. */
export async function composeCommand (): Promise<string[]> {
  for (const command of CANDIDATES) {
    try {
      await run(command[0]!, [...command.slice(1), 'version'])
      return command
    } catch {
      // not this one; try the next
    }
  }
  throw new Error('neither `docker compose` nor `docker-compose` runs here')
}

export const dockerCompose: Component = {
  name: 'Docker Compose (`docker compose` or `docker-compose`)',
  probe: async () => { await composeCommand() }
}

export async function compose (args: string[], options: { cwd: string }): Promise<{ stdout: string, stderr: string }> {
  const [file, ...prefix] = await composeCommand()
  return await run(file!, [...prefix, ...args], { cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 })
}
