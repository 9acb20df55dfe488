#!/usr/bin/env node
// openclaw-factory: the factory station's tool (ARCHITECTURE §1): device identities, labels, checks.
import { processIo } from './io.js'
import { runFactoryCli } from './program.js'

process.exitCode = await runFactoryCli(process.argv.slice(2), processIo(), process.env)
