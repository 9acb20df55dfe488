// Shared by the factory tests: run the CLI (in-process or as a process), read what a batch left on disk.
import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { runFactoryCli } from '../../factory/program.js'

export const CLI = fileURLToPath(new URL('../../factory/cli.ts', import.meta.url))
const TSX = import.meta.resolve('tsx')

export function startCli (args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: process.env.CI ?? '' } })
}

export interface CliRun { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** The CLI in this process: the same command tree and exit codes, without a process start. */
export async function runInProcess (args: string[]): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await runFactoryCli(args, { out: (text) => { stdout += text }, err: (text) => { stderr += text }, errIsTty: false })
  return { code, signal: null, stdout, stderr }
}

/** The real CLI as a child process (tsx), for what only a process can show: exit codes, kills. */
export function runCli (args: string[]): Promise<CliRun> {
  const child = startCli(args)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
}

export async function lineCount (path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.split('\n').filter((line) => line !== '').length
}

export async function filesIn (dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).sort()
}
