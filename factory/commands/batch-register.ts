// `openclaw-factory batch register`
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { batchPaths } from '../batch/paths.js'
import { readManifest } from '../batch/manifest.js'
import { parseUrl } from '../batch/options.js'
import { DEFAULT_ATTEMPTS, DEFAULT_CHUNK_SIZE, registerBatch, type RegisterResult } from '../batch/register.js'
import { UsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import type { Outcome } from '../program.js'
import { progressFor } from './progress-for.js'

/** Exit code when the server holds some device ids differently from this manifest. */
export const EXIT_CONFLICT = 3
const SHOWN_CONFLICTS = 20
const MAX_CHUNK = 20_000

interface RegisterFlags {
  server?: string
  token?: string
  chunkSize?: string
  attempts?: string
  json?: boolean
}

function wholeNumber (option: string, text: string, max: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > max) throw new UsageError(`${option} must be a whole number from 1 to ${max}, got "${text}"`)
  return value
}

function summary (result: RegisterResult): string {
  const lines = [
    `batch ${result.batchId} on ${result.serverUrl}: ${result.devices} devices — created ${result.created.length}, unchanged ${result.unchanged.length}, conflicting ${result.conflicting.length}`,
    ...result.conflicting.slice(0, SHOWN_CONFLICTS).map((c) => `  CONFLICT ${c.deviceId}: ${c.reason}`)
  ]
  if (result.conflicting.length > SHOWN_CONFLICTS) lines.push(`  ... and ${result.conflicting.length - SHOWN_CONFLICTS} more (use --json for all)`)
  lines.push(result.conflicting.length === 0 ? 'OK: every device is registered' : 'NOT OK: the server holds these device ids differently; they were left as they are')
  return lines.join('\n')
}

export function registerBatchRegister (batch: Command, io: CliIo, outcome: Outcome, env: NodeJS.ProcessEnv): void {
  batch.command('register')
    .description('pre-register the batch with the cloud: ids, public keys and claim-code hashes (idempotent; safe to rerun)')
    .argument('<dir>', 'batch directory')
    .option('--server <url>', "cloud URL (default: the batch's server URL)")
    .option('--token <token>', 'API token with scope factory:register (default: $OPENCLAW_FACTORY_TOKEN, which keeps it out of the process list)')
    .option('--chunk-size <n>', `devices per request (default: ${DEFAULT_CHUNK_SIZE})`)
    .option('--attempts <n>', `tries per request on network errors, 429 and 5xx, with exponential backoff (default: ${DEFAULT_ATTEMPTS})`)
    .option('--json', 'print the result as JSON on stdout and no progress')
    .addHelpText('after', `\nExit codes: 0 all registered (created or unchanged), ${EXIT_CONFLICT} some devices conflict, 1 error, 2 usage.`)
    .action(async (dir: string, flags: RegisterFlags) => {
      const token = flags.token ?? env.OPENCLAW_FACTORY_TOKEN
      if (token === undefined || token === '') throw new UsageError('--token (or OPENCLAW_FACTORY_TOKEN) is required: an API token with scope factory:register')
      const chunkSize = flags.chunkSize === undefined ? DEFAULT_CHUNK_SIZE : wholeNumber('--chunk-size', flags.chunkSize, MAX_CHUNK)
      const attempts = flags.attempts === undefined ? DEFAULT_ATTEMPTS : wholeNumber('--attempts', flags.attempts, 20)
      const manifest = await readManifest(batchPaths(resolve(dir)))
      const serverUrl = parseUrl('--server', flags.server ?? manifest.serverUrl, ['https', 'http'])
      const json = flags.json === true
      const result = await registerBatch({
        manifest,
        serverUrl,
        token,
        chunkSize,
        attempts,
        progress: progressFor(io, json),
        onRetry: (message) => { if (!json) io.err(`retrying: ${message}\n`) }
      })
      io.out(`${json ? JSON.stringify(result) : summary(result)}\n`)
      if (result.conflicting.length > 0) outcome.exitCode = EXIT_CONFLICT
    })
}
