// `openclaw-factory verify`
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { CliIo } from '../io.js'
import type { Outcome } from '../program.js'
import { verifyBatch, type VerifyReport } from '../verify/verify-batch.js'
import { progressFor } from './progress-for.js'

const SHOWN_PROBLEMS = 20

function summary (report: VerifyReport): string {
  const lines = [
    `batch ${report.batchId}: ${report.devices} devices, ${report.labelsVerified} labels and ${report.credentialsVerified} credential files verified, ${report.sheetsFound} sheets`,
    ...report.problems.slice(0, SHOWN_PROBLEMS).map((p) => `  FAIL ${p.deviceId ?? ''}${p.deviceId === undefined ? '' : ': '}${p.problem}`)
  ]
  if (report.problems.length > SHOWN_PROBLEMS) lines.push(`  ... and ${report.problems.length - SHOWN_PROBLEMS} more (use --json for all)`)
  lines.push(report.ok ? 'OK: fit to ship' : `NOT OK: ${report.problems.length} problem(s)`)
  return lines.join('\n')
}

export function registerVerify (program: Command, io: CliIo, outcome: Outcome): void {
  program.command('verify')
    .description('decode every label QR and check labels and credential files against the manifest')
    .argument('<dir>', 'batch directory')
    .option('--json', 'print the report as JSON on stdout and no progress')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const report = await verifyBatch(resolve(dir), progressFor(io, flags.json === true))
      io.out(`${flags.json === true ? JSON.stringify(report) : summary(report)}\n`)
      if (!report.ok) outcome.exitCode = 1
    })
}
