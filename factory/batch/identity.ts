// One device's identity: id, Ed25519 key pair, claim code. The private key goes only into the
// credential file; the clear claim code only onto the label (and the pending-codes journal until
// the label is printed to disk).
import { CREDENTIALS_VERSION, type DeviceCredentials } from '../../protocol/credentials.js'
import { generateClaimCode, hashClaimCode } from '../../protocol/claim-code.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { exportPrivateKeyPem, exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import type { ManifestDevice } from './manifest.js'
import type { BatchState } from './state.js'

export interface NewDevice {
  credentials: DeviceCredentials
  code: string
  manifest: ManifestDevice
}

export interface PendingCode {
  deviceId: string
  code: string
}

/**
 * Claims a fresh id in `taken` synchronously (before the first await), so devices made
 * concurrently can never share an id; 80 random bits make a repeat unlikely, the set makes it impossible.
 */
export async function newDevice (batch: BatchState, taken: Set<string>): Promise<NewDevice> {
  let deviceId = generateDeviceId()
  while (taken.has(deviceId)) deviceId = generateDeviceId()
  taken.add(deviceId)
  const keys = generateDeviceKeyPair()
  const publicKey = exportPublicKeyRaw(keys.publicKey)
  const code = generateClaimCode()
  return {
    credentials: {
      version: CREDENTIALS_VERSION,
      deviceId,
      model: batch.model,
      privateKey: exportPrivateKeyPem(keys.privateKey),
      publicKey,
      serverUrl: batch.serverUrl,
      mqttUrl: batch.mqttUrl,
      batchId: batch.batchId,
      createdAt: new Date().toISOString()
    },
    code,
    manifest: { deviceId, publicKey, claimCodeHash: await hashClaimCode(code) }
  }
}
