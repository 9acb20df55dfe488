// Use of each instance as the router sees it: the last proxied request and the open WebSockets.
// Each use is passed on to the tenants plugin's idle stop (plans' `idleTimeout`); an instance with an
// open WebSocket is reported again on every `heartbeat`, so a quiet but connected browser keeps it up.
export interface InstanceActivity { lastRequestAt: number, openSockets: number }

export interface Activity {
  request: (tenantId: string) => void
  /** Counts an open WebSocket; call the returned function once when it closes. */
  socketOpened: (tenantId: string) => () => void
  of: (tenantId: string) => InstanceActivity | undefined
  /** Reports every instance with an open WebSocket as active now. */
  heartbeat: () => void
}

export function createActivity (report: (tenantId: string) => void, now: () => number = Date.now): Activity {
  const byTenant = new Map<string, InstanceActivity>()
  const entry = (tenantId: string): InstanceActivity => {
    let found = byTenant.get(tenantId)
    if (found === undefined) { found = { lastRequestAt: now(), openSockets: 0 }; byTenant.set(tenantId, found) }
    return found
  }
  return {
    request (tenantId) {
      entry(tenantId).lastRequestAt = now()
      report(tenantId)
    },
    socketOpened (tenantId) {
      const found = entry(tenantId)
      report(tenantId)
      found.openSockets++
      found.lastRequestAt = now()
      let closed = false
      return () => {
        if (closed) return
        closed = true
        found.openSockets--
        found.lastRequestAt = now()
      }
    },
    of: (tenantId) => byTenant.get(tenantId),
    heartbeat () {
      for (const [tenantId, found] of byTenant) if (found.openSockets > 0) report(tenantId)
    }
  }
}
