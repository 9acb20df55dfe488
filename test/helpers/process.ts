// Runs the real CLI entry in a child process, as an operator would.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { packageInfo } from '../../server/package-info.js'

export const CLI = path.join(packageInfo.root, 'server', 'cli.ts')
// Resolved here, so the child finds tsx whatever its working directory is.
const TSX = import.meta.resolve('tsx')

export interface Finished { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

export interface RunningProcess {
  child: ChildProcess
  output: () => string
  finished: Promise<Finished>
}

export function startCli (args: string[], env: NodeJS.ProcessEnv, cwd = packageInfo.root): RunningProcess {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const finished = new Promise<Finished>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return { child, output: () => stdout + stderr, finished }
}

export async function runCli (args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Finished> {
  return await startCli(args, env, cwd).finished
}

export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Polls a URL until it answers (any status) or the deadline passes. */
export async function waitForHttp (url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await fetch(url)
      return
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms: ${(err as Error).message}`, { cause: err })
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
