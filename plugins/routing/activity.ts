// Use of each instance as the router sees it: the last proxied request and the open WebSockets.
// The tenants plugin's idle stop (plans' `idleTimeout`) reads it through `app.instanceRouter.activity`.
export interface InstanceActivity { lastRequestAt: number, openSockets: number }

export interface Activity {
  request: (tenantId: string) => void
  /** Counts an open WebSocket; call the returned function once when it closes. */
  socketOpened: (tenantId: string) => () => void
  of: (tenantId: string) => InstanceActivity | undefined
}

export function createActivity (now: () => number = Date.now): Activity {
  const byTenant = new Map<string, InstanceActivity>()
  const entry = (tenantId: string): InstanceActivity => {
    let found = byTenant.get(tenantId)
    if (found === undefined) { found = { lastRequestAt: now(), openSockets: 0 }; byTenant.set(tenantId, found) }
    return found
  }
  return {
    request (tenantId) { entry(tenantId).lastRequestAt = now() },
    socketOpened (tenantId) {
      const found = entry(tenantId)
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
    of: (tenantId) => byTenant.get(tenantId)
  }
}
