// The plans endpoint the create page reads: built-in limits, the installation's overrides and prices,
// and nothing internal (the image a plan runs).
import t from 'tap'
import { scheduler } from '../../plugins/scheduler/index.js'
import { tenants } from '../../plugins/tenants/index.js'
import { buildAuthApp } from '../helpers/auth.js'

const GIB = 1024 ** 3

t.test('GET /api/plans lists every plan with limits and the configured prices', async (t) => {
  const app = await buildAuthApp(t, {
    installed: [scheduler, tenants],
    config: {
      tenantImage: 'example/gateway:1',
      tenantPlans: {
        free: { memory: GIB / 2 },
        pro: { price: { amount: 12.5, currency: 'EUR', period: 'month' }, image: 'example/secret-build:2' }
      }
    }
  })
  const answer = await app.inject({ method: 'GET', url: '/api/plans' })
  t.equal(answer.statusCode, 200, 'a visitor who is not signed in may compare plans')
  const { plans } = answer.json<{ plans: Array<Record<string, unknown>> }>()
  t.same(plans.map((plan) => plan.name), ['free', 'basic', 'pro', 'enterprise'])
  t.same(plans[0], { name: 'free', memory: GIB / 2, cpus: 0.5, pids: 256, maxInstances: 1, idleTimeout: 1800, price: null }, 'an override changes only what it names')
  t.same(plans[2], { name: 'pro', memory: 4 * GIB, cpus: 2, pids: 1024, maxInstances: 5, idleTimeout: 86_400, price: { amount: 12.5, currency: 'EUR', period: 'month' } })
  t.notOk(answer.body.includes('example/'), 'the images plans run are not shown')
})

t.test('a price in the plans config is validated', async (t) => {
  await t.rejects(buildAuthApp(t, {
    installed: [scheduler, tenants],
    config: { tenantPlans: { basic: { price: { amount: 5, currency: 'euro', period: 'month' } } } }
  }), /currency/)
})
