// The production stack in deploy/: the compose file parses (with the Compose CLI when this machine
// has one), everything it mounts exists, every variable it needs is in .env.example, the image is
// multi-stage, non-root and health-checked, and the Grafana dashboard queries only metrics a real
// server exports.
import { readFile, access } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { installedPlugins } from '../../server/installed-plugins.js'
import { configKeys } from '../../server/config.js'
import { packageInfo } from '../../server/package-info.js'
import { buildTestApp } from '../helpers/app.js'
import { requireComponents } from '../helpers/components.js'
import { compose, dockerCompose } from '../helpers/compose.js'
import { exportedSeriesNames } from '../helpers/prometheus.js'

const root = packageInfo.root
const deploy = path.join(root, 'deploy')
const read = (file: string): Promise<string> => readFile(path.join(root, file), 'utf8')

interface ComposeService {
  image?: string
  build?: unknown
  environment?: Record<string, string>
  volumes?: string[]
  networks?: string[] | Record<string, unknown>
  deploy?: { replicas?: number }
}
interface ComposeFile { services: Record<string, ComposeService>, volumes?: Record<string, unknown> }

/** Names set in .env.example (the variables Compose substitutes). */
async function exampleEnv (): Promise<Map<string, string>> {
  const entries = (await read('.env.example')).split('\n').filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
  return new Map(entries.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
}

t.test('the compose file describes the whole stack', async (t) => {
  const text = await read('deploy/docker-compose.yml')
  const file = parse(text, { merge: true }) as ComposeFile
  t.same(Object.keys(file.services).sort(), ['grafana', 'loki', 'nginx', 'postgres', 'prometheus', 'redis', 'server'])
  const server = file.services.server!
  t.equal(server.deploy?.replicas, 2, 'two server replicas')
  t.match(server.build, { context: '..', dockerfile: 'Dockerfile' })
  t.match(server.environment, { LOKI_URL: 'http://loki:3100', DATABASE_URL: /^postgres:\/\/openclaw:\$\{POSTGRES_PASSWORD/ })

  // Every server setting in the file is one the server knows (REDIS_URL is there for what comes next).
  const known = new Set(configKeys().map(({ schema }) => schema.env))
  for (const name of Object.keys(server.environment ?? {})) {
    if (name !== 'REDIS_URL') t.ok(known.has(name), `${name} is a server setting`)
  }

  // Every ${VAR} Compose substitutes is documented in .env.example.
  const example = await exampleEnv()
  const used = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1]!))
  for (const name of used) t.ok(example.has(name), `${name} is in .env.example`)

  // Every file or folder it mounts from the repository exists.
  for (const [name, service] of Object.entries(file.services)) {
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0]!
      if (!source.startsWith('.')) {
        t.ok(file.volumes !== undefined && source in file.volumes, `${name}: named volume ${source} is declared`)
        continue
      }
      await t.resolves(access(path.join(deploy, source)), `${name}: ${source} exists`)
    }
  }

  // The edge's template uses only variables its container gets, and keeps /metrics off the internet.
  const nginx = await read('deploy/nginx/nginx.conf.template')
  const templated = new Set([...nginx.matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => match[1]!))
  t.same([...templated].sort(), Object.keys(file.services.nginx!.environment ?? {}).filter((name) => !name.startsWith('NGINX_')).sort())
  t.match(nginx, /location = \/metrics \{ return 404; \}/)
  t.match(nginx, /server_name \$\{CONSOLE_HOST\} \*\.\$\{APPS_DOMAIN\};/, 'wildcard apps domain')
  t.match(nginx, /proxy_set_header Upgrade \$http_upgrade;/, 'WebSocket upgrades pass')

  // Prometheus scrapes the servers on the port they listen on, from the network METRICS_ALLOW admits.
  const prometheus = parse(await read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ job_name: string, dns_sd_configs?: Array<{ names: string[], port: number }> }> }
  const job = prometheus.scrape_configs.find((config) => config.job_name === 'openclaw-cloud')
  t.match(job?.dns_sd_configs?.[0], { names: ['server'], port: 3000 })
  t.equal(server.environment?.METRICS_ALLOW, '172.30.0.0/24')
  t.match(text, /subnet: 172\.30\.0\.0\/24/)
})

t.test('the Compose CLI accepts the file', async (t) => {
  if (!(await requireComponents(t, dockerCompose))) return
  const { stdout } = await compose(['--env-file', '../.env.example', '-f', 'docker-compose.yml', 'config'], { cwd: deploy })
  const resolved = parse(stdout) as ComposeFile
  t.equal(resolved.services.server?.environment?.PUBLIC_URL, 'https://cloud.example.com', 'variables are substituted')
  t.equal(resolved.services.server?.environment?.APPS_DOMAIN, 'apps.example.com')
})

t.test('the server image is multi-stage, Node 24, non-root and health-checked', async (t) => {
  const dockerfile = await read('Dockerfile')
  t.ok(dockerfile.match(/^FROM /gm)!.length >= 2, 'multi-stage')
  t.match(dockerfile, /^ARG NODE_IMAGE=node:24-/m)
  t.match(dockerfile, /^USER node$/m)
  t.match(dockerfile, /^HEALTHCHECK .*\n.*\/health/m)
  t.match(dockerfile, /^ENTRYPOINT \["node", "dist\/server\/cli\.js"\]$/m)
  const ignored = (await read('.dockerignore')).split('\n')
  for (const entry of ['node_modules', 'data', '.env', '.git']) t.ok(ignored.includes(entry), `${entry} stays out of the build context`)
})

t.test('the Grafana dashboard queries only metrics the server exports', async (t) => {
  const app = await buildTestApp(t, { installed: installedPlugins, config: { mqttHost: '127.0.0.1', mqttPort: 0, reconcileInterval: 3_600_000 } })
  await app.ready()
  const scraped = await app.inject('/metrics')
  t.equal(scraped.statusCode, 200)
  const exported = exportedSeriesNames(scraped.body)

  const dashboard = JSON.parse(await read('deploy/grafana/dashboards/openclaw-cloud.json')) as { uid: string, panels: Array<{ id: number, title: string, datasource?: { uid: string }, targets?: Array<{ expr: string }> }> }
  const datasources = parse(await read('deploy/grafana/provisioning/datasources/datasources.yml')) as { datasources: Array<{ uid: string }> }
  const uids = new Set(datasources.datasources.map((source) => source.uid))
  const referenced = new Set<string>()
  for (const panel of dashboard.panels) {
    if (panel.datasource !== undefined) t.ok(uids.has(panel.datasource.uid), `"${panel.title}" uses a provisioned data source`)
    for (const target of panel.targets ?? []) for (const [name] of target.expr.matchAll(/openclaw_cloud_[a-z0-9_]+/g)) referenced.add(name)
  }
  t.ok(referenced.size >= 20, `the dashboard queries ${referenced.size} metrics`)
  for (const name of referenced) t.ok(exported.has(name), `${name} is exported`)
  t.equal(new Set(dashboard.panels.map((panel) => panel.id)).size, dashboard.panels.length, 'panel ids are unique')

  // The guides name metrics too; each must be one the server exports (a family name or one of its series).
  const families = new Set([...scraped.body.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!))
  for (const doc of ['plugins/metrics/README.md', 'docs/troubleshooting.md', 'docs/troubleshooting.zh-CN.md', 'docs/admin-guide.md', 'docs/admin-guide.zh-CN.md']) {
    for (const [name] of (await read(doc)).matchAll(/openclaw_cloud_[a-z0-9_]*[a-z0-9]/g)) {
      if (name.endsWith('_') || /^openclaw_cloud_(process|nodejs)$/.test(name)) continue
      t.ok(families.has(name) || exported.has(name), `${doc}: ${name} is exported`)
    }
  }
})
