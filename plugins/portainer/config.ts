// Settings of the portainer plugin (Portainer environments as workers), part of the server's one config schema.
import Type from 'typebox'
import { key } from '../../server/config-key.js'

export const portainerConfig = {
  portainerUrl: key(Type.Optional(Type.String({ pattern: '^https?://[^?#]+$' })), {
    env: 'PORTAINER_URL', allowed: 'an http(s) URL, e.g. https://portainer.example.com:9443',
    description: 'Portainer whose Docker environments become workers (`portainer-<id>-<name>`). Without it the portainer plugin does nothing.'
  }),
  portainerApiKey: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'PORTAINER_API_KEY', secret: true, allowed: 'a Portainer access token (ptr_...)',
    description: 'Access token sent as `X-API-Key` on every call to Portainer (create it under My account → Access tokens).'
  }),
  portainerSyncInterval: key(Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }), {
    env: 'PORTAINER_SYNC_INTERVAL', description: 'Milliseconds between reads of Portainer\'s environment list (new, changed and unreachable environments).'
  })
}
