// Settings of the scheduler plugin (workers and placement), part of the server's one config schema.
import Type from 'typebox'
import { key } from '../../server/config-key.js'

export const schedulerConfig = {
  dockerSocket: key(Type.String({ minLength: 1, default: '/var/run/docker.sock' }), {
    env: 'DOCKER_SOCKET', allowed: 'a file path', description: 'Local Docker engine socket; when it answers, it is registered as worker `local`.'
  }),
  schedulingStrategy: key(Type.Union([Type.Literal('least-loaded'), Type.Literal('bin-pack'), Type.Literal('spread'), Type.Literal('round-robin')], { default: 'least-loaded' }), {
    env: 'SCHEDULING_STRATEGY', description: 'How a worker is picked for a new instance.'
  }),
  schedulingSpreadLabel: key(Type.String({ minLength: 1, default: 'zone' }), {
    env: 'SCHEDULING_SPREAD_LABEL', description: 'Worker label whose values share instances evenly under the `spread` strategy.'
  }),
  workerCpuOvercommit: key(Type.Number({ minimum: 0.1, maximum: 100, default: 4 }), {
    env: 'WORKER_CPU_OVERCOMMIT', allowed: 'a number from 0.1 to 100', description: 'CPUs the local worker offers per core (plan CPU limits are shares, mostly idle).'
  }),
  workerTimeout: key(Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }), {
    env: 'WORKER_TIMEOUT', description: 'Milliseconds a worker\'s Docker API (direct or through Portainer) gets to answer a short call before the worker counts as unreachable.'
  }),
  workerHeartbeatTimeout: key(Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 90_000 }), {
    env: 'WORKER_HEARTBEAT_TIMEOUT', description: 'Milliseconds without a heartbeat after which a worker is marked offline.'
  })
}
