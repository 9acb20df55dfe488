// Entities of the core itself; each plugin keeps its own beside its code.
import { EntitySchema, type EntityManager } from '@mikro-orm/core'
import { randomUUID } from 'node:crypto'

/** Installation-wide facts that must survive restarts, such as this installation's id. */
export class Setting {
  key!: string
  value!: string
  updatedAt: Date = new Date()
}

export const SettingSchema = new EntitySchema<Setting>({
  class: Setting,
  tableName: 'settings',
  properties: {
    key: { type: 'string', primary: true, length: 100 },
    value: { type: 'text' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() }
  }
})

export const coreEntities: EntitySchema[] = [SettingSchema]

export interface Installation {
  id: string
  createdAt: string
}

const INSTALLATION_KEY = 'installation'

/** Returns this installation's identity, creating it on the very first start. */
export async function ensureInstallation (em: EntityManager): Promise<Installation> {
  const existing = await em.findOne(Setting, { key: INSTALLATION_KEY })
  if (existing !== null) return JSON.parse(existing.value) as Installation
  const installation: Installation = { id: randomUUID(), createdAt: new Date().toISOString() }
  em.create(Setting, { key: INSTALLATION_KEY, value: JSON.stringify(installation), updatedAt: new Date() })
  await em.flush()
  return installation
}
