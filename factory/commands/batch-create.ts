// `openclaw-factory batch create`
import type { Command } from 'commander'
import { createBatch, type CreateBatchResult } from '../batch/create.js'
import {
  DEFAULT_DPI, DEFAULT_LABEL_SIZE, DEFAULT_SERVER_URL, DEFAULT_SHEET, parseCount, parseDpi, parseLabelSize, parseModel, parseSheet, parseUrl
} from '../batch/options.js'
import type { GivenSettings } from '../batch/settings.js'
import type { CliIo } from '../io.js'
import { progressFor } from './progress-for.js'

interface CreateFlags {
  count?: string
  model?: string
  out: string
  server?: string
  mqtt?: string
  console?: string
  resume?: boolean
  labelSize?: string
  dpi?: string
  sheet?: string
  json?: boolean
}

function givenSettings (flags: CreateFlags): GivenSettings {
  return {
    count: flags.count === undefined ? undefined : parseCount(flags.count),
    model: flags.model === undefined ? undefined : parseModel(flags.model),
    serverUrl: flags.server === undefined ? undefined : parseUrl('--server', flags.server, ['https', 'http']),
    mqttUrl: flags.mqtt === undefined ? undefined : parseUrl('--mqtt', flags.mqtt, ['mqtts', 'mqtt', 'wss', 'ws']),
    consoleUrl: flags.console === undefined ? undefined : parseUrl('--console', flags.console, ['https', 'http']),
    labelSize: flags.labelSize === undefined ? undefined : parseLabelSize(flags.labelSize),
    dpi: flags.dpi === undefined ? undefined : parseDpi(flags.dpi),
    sheet: flags.sheet === undefined ? undefined : parseSheet(flags.sheet)
  }
}

function summary (result: CreateBatchResult): string {
  const verb = result.resumed ? 'resumed' : 'created'
  return [
    `batch ${result.batchId} ${verb}: ${result.count} x ${result.model} in ${result.dir}`,
    `  new devices this run: ${result.created}, labels rendered: ${result.labelsRendered}, sheets: ${result.sheetsRendered} (${result.sheet})`,
    `  took ${(result.elapsedMs / 1000).toFixed(1)} s; next: openclaw-factory verify ${result.dir}`
  ].join('\n')
}

export function registerBatchCreate (batch: Command, io: CliIo): void {
  batch.command('create')
    .description('make device identities, credential files, labels, sheets and a manifest')
    .requiredOption('--out <dir>', 'batch directory (new or empty; or an unfinished batch with --resume)')
    .option('--count <n>', 'number of devices (required for a new batch)')
    .option('--model <name>', 'model name printed on labels, e.g. "OpenClaw Box v1" (required for a new batch)')
    .option('--server <url>', `cloud URL the boxes talk to (default: ${DEFAULT_SERVER_URL})`)
    .option('--mqtt <url>', 'MQTT broker URL (default: mqtts://<server host>:8883, or mqtt://...:1883 for http)')
    .option('--console <url>', 'console URL in the claim QR (default: the server URL)')
    .option('--resume', 'finish an interrupted batch in --out (the options it was started with apply)')
    .option('--label-size <WxHmm>', `label size (default: ${DEFAULT_LABEL_SIZE})`)
    .option('--dpi <dpi>', `print resolution (default: ${DEFAULT_DPI})`)
    .option('--sheet <format>', `A4 print sheets: a4-pdf, a4-png or none (default: ${DEFAULT_SHEET})`)
    .option('--json', 'print a JSON summary on stdout and no progress')
    .action(async (flags: CreateFlags) => {
      const result = await createBatch({
        dir: flags.out,
        resume: flags.resume === true,
        given: givenSettings(flags),
        progress: progressFor(io, flags.json === true)
      })
      io.out(`${flags.json === true ? JSON.stringify(result) : summary(result)}\n`)
    })
}
