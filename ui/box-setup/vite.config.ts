// The box setup page: one small ES module served by the box itself (firmware/setup/server.ts), built
// apart from the console so the box carries only this page. `npm run build:ui` builds both.
import { defineConfig } from 'vite'

export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: '../dist-box-setup',
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: 'main.ts', formats: ['es'], fileName: () => 'box-setup.js' }
  }
})
