// Factory credential files for firmware tests: a fresh identity written as the factory writes it.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CREDENTIALS_VERSION, type DeviceCredentials } from '../../protocol/credentials.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { exportPrivateKeyPem, exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'

export interface TestCredentials {
  file: string
  credentials: DeviceCredentials
}

export async function writeCredentials (dir: string, urls: { serverUrl?: string, mqttUrl?: string } = {}): Promise<TestCredentials> {
  const keys = generateDeviceKeyPair()
  const credentials: DeviceCredentials = {
    version: CREDENTIALS_VERSION,
    deviceId: generateDeviceId(),
    model: 'box-1',
    privateKey: exportPrivateKeyPem(keys.privateKey),
    publicKey: exportPublicKeyRaw(keys.publicKey),
    serverUrl: urls.serverUrl ?? 'http://cloud.test',
    // Nothing listens on port 9 (discard): a box made with the default has no cloud to reach.
    mqttUrl: urls.mqttUrl ?? 'mqtt://127.0.0.1:9',
    batchId: 'test-batch',
    createdAt: new Date().toISOString()
  }
  const file = join(dir, `${credentials.deviceId}.json`)
  await writeFile(file, JSON.stringify(credentials, null, 2), { mode: 0o600 })
  return { file, credentials }
}
