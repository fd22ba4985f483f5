import { defineConfig } from 'vite';

// The app is served by `driftway serve` from web/dist under the server's
// Content-Security-Policy: no inline script, no eval. Vite's production
// output is external module scripts and stylesheets only.
export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a running `driftway serve` on the default port.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/gateway': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
