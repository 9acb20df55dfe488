import t from 'tap'
import { CredentialsError, parseDeviceCredentials, type DeviceCredentials } from '../../protocol/credentials.js'
import { exportPrivateKeyPem, exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { generateDeviceId } from '../../protocol/device-id.js'

const keys = generateDeviceKeyPair()
const good: DeviceCredentials = {
  version: 1,
  deviceId: generateDeviceId(),
  model: 'OpenClaw Box v1',
  privateKey: exportPrivateKeyPem(keys.privateKey),
  publicKey: exportPublicKeyRaw(keys.publicKey),
  serverUrl: 'https://cloud.example',
  mqttUrl: 'mqtts://cloud.example:8883',
  batchId: 'b_1',
  createdAt: new Date().toISOString()
}

function fieldOf (input: unknown): string | undefined {
  try {
    parseDeviceCredentials(input)
    return undefined
  } catch (err) {
    if (!(err instanceof CredentialsError)) throw err
    return err.field
  }
}

t.test('a good file parses, from text or object', async (t) => {
  t.same(parseDeviceCredentials(JSON.stringify(good)), good)
  t.same(parseDeviceCredentials(good), good)
})

t.test('a bad file names the bad field', async (t) => {
  t.equal(fieldOf('{oops'), '')
  t.equal(fieldOf({ ...good, deviceId: 'ocb_nope' }), 'deviceId')
  t.equal(fieldOf({ ...good, mqttUrl: 'ftp://x' }), 'mqttUrl')
  t.equal(fieldOf({ ...good, createdAt: 'yesterday' }), 'createdAt')
  const { batchId: _batchId, ...missing } = good
  t.equal(fieldOf(missing), 'batchId')
  t.equal(fieldOf({ ...good, extra: 1 }), 'extra', 'unknown fields are refused: this file is ours alone')
  t.equal(fieldOf({ ...good, privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }), 'privateKey')
  t.equal(fieldOf({ ...good, publicKey: exportPublicKeyRaw(generateDeviceKeyPair().publicKey) }), 'publicKey', 'key pair must match')
})
