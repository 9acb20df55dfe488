// aedes-persistence-redis ships no types: the factory as its README documents it (options go to ioredis, or `conn`).
declare module 'aedes-persistence-redis' {
  import type { Redis, RedisOptions } from 'ioredis'
  export default function createRedisPersistence (options?: RedisOptions & { conn?: Redis, maxSessionDelivery?: number }): unknown
}
