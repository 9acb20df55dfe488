// Server plugins that admins enable by name. Each is a fastify-plugin with a name and dependencies;
// this module checks the requested set and orders it so every plugin loads after its dependencies.
import type { EntitySchema } from '@mikro-orm/core'
import type { FastifyPluginAsync } from 'fastify'
import { StartupError } from './startup-error.js'

export interface ServerPlugin {
  /** Wrapped with fastify-plugin (`fp(fn, { name, dependencies })`): name and dependencies are read from it. */
  plugin: FastifyPluginAsync
  description: string
  entities?: EntitySchema[]
}

interface PluginMeta { name?: string, dependencies?: string[] }

export function pluginName (definition: ServerPlugin): string {
  const name = meta(definition).name
  if (name === undefined) throw new Error('server plugin is missing its fastify-plugin name')
  return name
}

export function pluginDependencies (definition: ServerPlugin): string[] {
  return meta(definition).dependencies ?? []
}

function meta (definition: ServerPlugin): PluginMeta {
  return (definition.plugin as unknown as Record<symbol, PluginMeta | undefined>)[Symbol.for('plugin-meta')] ?? {}
}

export class PluginConfigError extends StartupError {}

/**
 * Picks the requested plugins (all installed ones when none are requested) and orders them after their
 * dependencies. Refuses unknown names and missing dependencies with a message that says what to change.
 */
export function resolvePlugins (installed: ServerPlugin[], requested: string[] | undefined): ServerPlugin[] {
  const byName = new Map(installed.map((definition) => [pluginName(definition), definition]))
  const names = requested ?? [...byName.keys()]
  const known = [...byName.keys()].join(', ') || 'none'

  const unknown = names.filter((name) => !byName.has(name))
  if (unknown.length > 0) {
    throw new PluginConfigError(`Unknown plugin ${unknown.map((name) => `"${name}"`).join(', ')} in OPENCLAW_CLOUD_PLUGINS; installed plugins: ${known}`)
  }
  const enabled = new Set(names)
  for (const name of names) {
    const missing = pluginDependencies(byName.get(name)!).filter((dependency) => !enabled.has(dependency))
    if (missing.length > 0) {
      throw new PluginConfigError(`Plugin "${name}" needs ${missing.map((dependency) => `"${dependency}"`).join(', ')}, which is not enabled; add it to OPENCLAW_CLOUD_PLUGINS or remove "${name}"`)
    }
  }

  const ordered: ServerPlugin[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string, chain: string[]): void => {
    if (state.get(name) === 'done') return
    if (state.get(name) === 'visiting') throw new PluginConfigError(`Plugins depend on each other in a cycle: ${[...chain, name].join(' -> ')}`)
    state.set(name, 'visiting')
    for (const dependency of pluginDependencies(byName.get(name)!)) visit(dependency, [...chain, name])
    state.set(name, 'done')
    ordered.push(byName.get(name)!)
  }
  for (const name of names) visit(name, [])
  return ordered
}
