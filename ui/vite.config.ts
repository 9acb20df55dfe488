// Builds the console into ui/dist, which the server serves (server/app.ts) with an index fallback
// for client-side routes. `npm run dev:ui` proxies the API to a server on :3000.
import { defineConfig } from 'vite'

export default defineConfig({
  root: import.meta.dirname,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: { proxy: { '/api': 'http://localhost:3000' } }
})
