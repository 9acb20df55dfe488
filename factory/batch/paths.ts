// Where everything lives in a batch directory (see factory/README.md for what each file is for).
import { join } from 'node:path'

export interface BatchPaths {
  dir: string
  state: string
  lock: string
  journal: string
  pendingCodes: string
  credentials: string
  labels: string
  sheets: string
  manifestJson: string
  manifestCsv: string
}

export function batchPaths (dir: string): BatchPaths {
  return {
    dir,
    state: join(dir, 'batch.json'),
    lock: join(dir, '.lock'),
    journal: join(dir, 'devices.ndjson'),
    pendingCodes: join(dir, '.pending-codes.ndjson'),
    credentials: join(dir, 'credentials'),
    labels: join(dir, 'labels'),
    sheets: join(dir, 'sheets'),
    manifestJson: join(dir, 'manifest.json'),
    manifestCsv: join(dir, 'manifest.csv')
  }
}

export const credentialFile = (paths: BatchPaths, deviceId: string): string => join(paths.credentials, `${deviceId}.json`)
export const labelFile = (paths: BatchPaths, deviceId: string): string => join(paths.labels, `${deviceId}.png`)
