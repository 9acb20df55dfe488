// oidc-provider's storage in our database (SQLite or PostgreSQL) through MikroORM, so every server
// process sees the same sessions, codes and tokens. Clients come from the registry instead (code).
import type { MikroORM } from '@mikro-orm/core'
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider'
import { OidcRecord } from '../entities.js'
import { toClientMetadata, type ClientRegistry } from './clients.js'

/**
 * Expired records are kept this long before the sweeper deletes them, so a client polling late is
 * told `expired_token` (RFC 8628 §3.5) rather than that its code never existed. oidc-provider checks
 * every record's own expiry itself.
 */
export const EXPIRED_RECORD_GRACE_MS = 60 * 60 * 1000

const lookup = (payload: AdapterPayload, key: 'grantId' | 'userCode' | 'uid'): string | null => {
  const value = payload[key]
  return typeof value === 'string' ? value : null
}

export function createAdapter (orm: MikroORM, clients: ClientRegistry): AdapterConstructor {
  return class DatabaseAdapter implements Adapter {
    constructor (private readonly model: string) {}

    async upsert (id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await orm.em.fork().upsert(OidcRecord, {
        model: this.model,
        id,
        payload: payload as Record<string, unknown>,
        expiresAt: expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000),
        grantId: lookup(payload, 'grantId'),
        userCode: lookup(payload, 'userCode'),
        uid: lookup(payload, 'uid')
      })
    }

    async find (id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const registration = clients.get(id)
        return registration === undefined ? undefined : toClientMetadata(registration)
      }
      return await this.#findOne({ id })
    }

    async findByUserCode (userCode: string): Promise<AdapterPayload | undefined> {
      return await this.#findOne({ userCode })
    }

    async findByUid (uid: string): Promise<AdapterPayload | undefined> {
      return await this.#findOne({ uid })
    }

    async consume (id: string): Promise<void> {
      const em = orm.em.fork()
      const record = await em.findOne(OidcRecord, { model: this.model, id })
      if (record === null) return
      record.payload = { ...record.payload, consumed: Math.floor(Date.now() / 1000) }
      await em.flush()
    }

    async destroy (id: string): Promise<void> {
      await orm.em.fork().nativeDelete(OidcRecord, { model: this.model, id })
    }

    async revokeByGrantId (grantId: string): Promise<void> {
      await orm.em.fork().nativeDelete(OidcRecord, { model: this.model, grantId })
    }

    async #findOne (where: { id?: string, userCode?: string, uid?: string }): Promise<AdapterPayload | undefined> {
      const record = await orm.em.fork().findOne(OidcRecord, { model: this.model, ...where })
      return record === null ? undefined : record.payload as AdapterPayload
    }
  }
}
