// What this server is (server/routes.ts `GET /api/info`): version, enabled plugins, instance domain.
import type { Http } from './http.js'

export interface ServerInfo {
  name: string
  version: string
  publicUrl: string
  appsDomain: string
  plugins: string[]
}

export const fetchInfo = (http: Http): Promise<ServerInfo> => http.get('/api/info')
