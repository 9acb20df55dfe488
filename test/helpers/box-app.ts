// A simulated box in the test process: simulated drivers, loopback ports picked by the OS,
// quick timers, torn down with the test.
import { join } from 'node:path'
import pino from 'pino'
import { startBox, type Box } from '../../firmware/daemon.js'
import { DISPLAY_PNG } from '../../firmware/drivers/index.js'
import { defaultOptions, type BoxOptions } from '../../firmware/options.js'
export { until } from './wait.js'

export async function startSimulatedBox (t: { teardown: (fn: () => unknown) => void }, credentialsFile: string, dataDir: string, overrides: Partial<BoxOptions> = {}): Promise<Box> {
  const options: BoxOptions = {
    ...defaultOptions(credentialsFile, dataDir, true),
    apiPort: 0,
    setupPort: 0,
    dnsPort: 0,
    wifiCheckIntervalMs: 200,
    telemetryIntervalMs: 1000,
    statusScreenMs: 60_000,
    ...overrides
  }
  const box = await startBox(options, { log: pino({ level: process.env.BOX_LOG ?? 'silent' }) })
  t.teardown(() => box.stop())
  return box
}

export const displayFile = (dataDir: string): string => join(dataDir, DISPLAY_PNG)

