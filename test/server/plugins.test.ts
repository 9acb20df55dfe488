import t from 'tap'
import { PluginConfigError, pluginName, resolvePlugins } from '../../server/plugins.js'
import { buildTestApp } from '../helpers/app.js'
import { cycleA, cycleB, echo, portainer, scheduler } from '../helpers/fixture-plugins.js'

const installed = [portainer, echo, scheduler]

t.test('all installed plugins load by default, each after its dependencies', async (t) => {
  const loaded = resolvePlugins(installed, undefined).map(pluginName)
  t.same([...loaded].sort(), ['echo', 'portainer', 'scheduler'])
  t.ok(loaded.indexOf('scheduler') < loaded.indexOf('portainer'), 'scheduler before portainer')
})

t.test('admins pick plugins by name', async (t) => {
  t.same(resolvePlugins(installed, ['echo']).map(pluginName), ['echo'])
  t.same(resolvePlugins(installed, ['portainer', 'scheduler']).map(pluginName), ['scheduler', 'portainer'])
  t.same(resolvePlugins(installed, []).map(pluginName), [], 'an empty list runs the core alone')
})

t.test('an unknown plugin name is refused with the installed ones listed', async (t) => {
  t.throws(() => resolvePlugins(installed, ['echo', 'tenats']), new PluginConfigError('Unknown plugin "tenats" in OPENCLAW_CLOUD_PLUGINS; installed plugins: portainer, echo, scheduler'))
})

t.test('a plugin without its dependency is refused, saying which one to add', async (t) => {
  t.throws(() => resolvePlugins(installed, ['portainer']), {
    name: 'PluginConfigError',
    message: 'Plugin "portainer" needs "scheduler", which is not enabled; add it to OPENCLAW_CLOUD_PLUGINS or remove "portainer"'
  })
})

t.test('a dependency cycle is refused', async (t) => {
  t.throws(() => resolvePlugins([cycleA, cycleB], undefined), { message: /cycle: cycle-a -> cycle-b -> cycle-a/ })
})

t.test('the app refuses to start on a bad plugin list, and lists what it runs otherwise', async (t) => {
  await t.rejects(buildTestApp(t, { installed, config: { plugins: ['portainer'] } }), { message: /needs "scheduler"/ })

  const app = await buildTestApp(t, { installed, config: { plugins: ['scheduler', 'portainer'] } })
  const response = await app.inject('/api/admin/plugins')
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.same(body.enabled.map((p: { name: string }) => p.name), ['scheduler', 'portainer'])
  t.same(body.enabled[1], { name: 'portainer', description: 'test plugin portainer', dependencies: ['scheduler'] })
  t.same(body.installed.map((p: { name: string }) => p.name), ['portainer', 'echo', 'scheduler'])
  t.same((await app.inject('/api/info')).json().plugins, ['scheduler', 'portainer'])
})
