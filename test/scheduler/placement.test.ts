import t from 'tap'
import { place, type Candidate, type Resources } from '../../plugins/scheduler/placement.js'

const GIB = 1024 ** 3
const small: Resources = { memory: GIB, cpu: 0.5 }

function worker (id: string, used: number, extra: Partial<Candidate> = {}): Candidate {
  return { id, state: 'active', labels: {}, capacity: { memory: 8 * GIB, cpu: 4 }, allocated: { memory: used * GIB, cpu: used / 2 }, ...extra }
}

t.test('least-loaded picks the emptiest worker; bin-pack the fullest that fits', async (t) => {
  const workers = [worker('a', 6), worker('b', 1), worker('c', 3)]
  t.same(place(workers, { reservation: small, strategy: 'least-loaded' }), { ok: true, workerId: 'b' })
  t.same(place(workers, { reservation: small, strategy: 'bin-pack' }), { ok: true, workerId: 'a' })
  t.same(place(workers, { reservation: { memory: 3 * GIB, cpu: 0.5 }, strategy: 'bin-pack' }), { ok: true, workerId: 'c' }, 'a lacks 3 GiB')
})

t.test('draining and offline workers get nothing', async (t) => {
  const workers = [worker('a', 7, { state: 'draining' }), worker('b', 0, { state: 'offline' }), worker('c', 5)]
  t.same(place(workers, { reservation: small, strategy: 'least-loaded' }), { ok: true, workerId: 'c' })
  t.same(place(workers.slice(0, 2), { reservation: small, strategy: 'least-loaded' }), { ok: false, reason: 'no worker is active (all are draining or offline)' })
  t.same(place([], { reservation: small, strategy: 'least-loaded' }), { ok: false, reason: 'no worker is registered' })
})

t.test('capacity errors name what is missing', async (t) => {
  const workers = [worker('a', 7), worker('b', 7)]
  t.same(place(workers, { reservation: { memory: 2 * GIB, cpu: 0.5 }, strategy: 'least-loaded' }), { ok: false, reason: 'no worker has 2 GiB free' })
  t.same(place([worker('a', 0, { allocated: { memory: 0, cpu: 4 } })], { reservation: small, strategy: 'least-loaded' }), { ok: false, reason: 'no worker has 0.5 CPU free' })
  t.same(place([worker('a', 7.75)], { reservation: { memory: 512 * 1024 ** 2, cpu: 0 }, strategy: 'least-loaded' }), { ok: false, reason: 'no worker has 512 MiB free' })
})

t.test('spread fills the label value with the fewest tenants, least loaded within it', async (t) => {
  const workers = [
    worker('a', 0, { labels: { zone: 'east' } }),
    worker('b', 1, { labels: { zone: 'west' } }),
    worker('c', 4, { labels: { zone: 'west' } }),
    worker('d', 0)
  ]
  const counts = new Map([['east', 3], ['west', 1]])
  t.same(place(workers, { reservation: small, strategy: 'spread', spreadLabel: 'zone', spreadCounts: counts }), { ok: true, workerId: 'b' })
  t.same(place(workers, { reservation: small, strategy: 'spread', spreadLabel: 'zone', spreadCounts: new Map([['west', 2]]) }), { ok: true, workerId: 'a' })
  t.same(place([workers[3]!], { reservation: small, strategy: 'spread', spreadLabel: 'zone' }), { ok: true, workerId: 'd' }, 'unlabelled workers are the last resort')
})

t.test('round-robin cycles through fitting workers in id order', async (t) => {
  const workers = [worker('c', 0), worker('a', 0), worker('b', 8)]
  const picks: string[] = []
  let last: string | undefined
  for (let i = 0; i < 4; i++) {
    const result = place(workers, { reservation: small, strategy: 'round-robin', lastWorkerId: last })
    if (!result.ok) throw new Error(result.reason)
    picks.push(result.workerId)
    last = result.workerId
  }
  t.same(picks, ['a', 'c', 'a', 'c'], 'b is full and skipped')
})
