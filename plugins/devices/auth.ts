// MQTT CONNECT authentication: username = device id, password = device JWT (ARCHITECTURE §3).
import type { AuthenticateError, Client } from 'aedes'
import type { FastifyBaseLogger } from 'fastify'
import { DeviceJwtError, DeviceJwtErrorCode } from '../../protocol/device-jwt.js'
import type { BrokerStats } from './stats.js'
import type { VerifyDeviceToken } from './verifier.js'

// CONNACK return codes, MQTT 3.1.1 §3.2.2.3 (aedes' AuthErrorCode is an ambient const enum).
const IDENTIFIER_REJECTED = 2
const BAD_USERNAME_OR_PASSWORD = 4
const NOT_AUTHORIZED = 5

function refusal (returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

export interface AuthenticateOptions {
  verify: VerifyDeviceToken
  stats: BrokerStats
  log: FastifyBaseLogger
}

export type Authenticate = (client: Client, username: string | undefined, password: Buffer | undefined) => Promise<void>

export function createAuthenticate ({ verify, stats, log }: AuthenticateOptions): Authenticate {
  const refuse = (client: Client, error: AuthenticateError, deviceId?: string): never => {
    stats.connectionsRefused++
    log.warn({ clientId: client.id, deviceId, returnCode: error.returnCode, remote: client.conn && 'remoteAddress' in client.conn ? client.conn.remoteAddress : undefined }, `MQTT connection refused: ${error.message}`)
    throw error
  }
  return async (client, username, password) => {
    if (username === undefined || password === undefined) {
      refuse(client, refusal(BAD_USERNAME_OR_PASSWORD, 'username (device id) and password (device JWT) are required'))
    }
    let deviceId: string
    try {
      deviceId = await verify(password!.toString('utf8'))
    } catch (err) {
      if (!(err instanceof DeviceJwtError)) throw err
      const code = err.code === DeviceJwtErrorCode.revoked ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD
      return refuse(client, refusal(code, `${err.code}: ${err.message}`), err.deviceId)
    }
    if (username !== deviceId) refuse(client, refusal(BAD_USERNAME_OR_PASSWORD, 'username must be the device id the token is signed for'), deviceId)
    // The client id names the session, and a CONNECT with a live session's id takes that session
    // over (MQTT 3.1.1 §3.1.4-2): it must be the device's own id, or one box could evict another.
    if (client.id !== deviceId) refuse(client, refusal(IDENTIFIER_REJECTED, 'client id must be the device id'), deviceId)
  }
}
