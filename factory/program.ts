// The openclaw-factory command tree, runnable in-process: returns the exit code instead of exiting.
import { Command, CommanderError } from 'commander'
import { registerBatchCreate } from './commands/batch-create.js'
import { registerBatchRegister } from './commands/batch-register.js'
import { registerVerify } from './commands/verify.js'
import { FactoryError } from './errors.js'
import type { CliIo } from './io.js'

/** What an action reports back besides its output: the exit code when nothing was thrown. */
export interface Outcome {
  exitCode: number
}

function buildProgram (io: CliIo, outcome: Outcome, env: NodeJS.ProcessEnv): Command {
  const program = new Command('openclaw-factory')
    .description('Make OpenClaw Box identities and labels at the factory, and check them before shipping')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
  const batch = program.command('batch').description('make a batch of devices')
  registerBatchCreate(batch, io)
  registerBatchRegister(batch, io, outcome, env)
  registerVerify(program, io, outcome)
  // Subcommands inherit neither exitOverride nor output settings from their parent.
  for (const command of [batch, ...batch.commands, ...program.commands]) command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err })
  return program
}

export async function runFactoryCli (args: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = {}): Promise<number> {
  try {
    const outcome: Outcome = { exitCode: 0 }
    await buildProgram(io, outcome, env).parseAsync([...args], { from: 'user' })
    return outcome.exitCode
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode // help, version, usage: commander has printed them
    // Staff need the message, not a stack trace; OPENCLAW_FACTORY_DEBUG=1 shows it for bug reports.
    const expected = err instanceof FactoryError
    io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`)
    if (!expected && env.OPENCLAW_FACTORY_DEBUG === '1') io.err(`${(err as Error).stack ?? ''}\n`)
    return expected ? err.exitCode : 1
  }
}
