// `pnpm start:workers`: what scripts/start.mjs runs in place of the Node gateway — the Workers
// gateway of workers/gateway/wrangler.jsonc in workerd (`wrangler dev --local`), pointed at the local
// backend with this run's shared secret. It serves the bundled fixture model with auth off: locally
// the KEYS namespace and the MODELS bucket are empty (docs/deploy-workers.md covers the real ones).
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The gateway process to spawn, after writing the fixture files wrangler bundles and the secret file. */
export function workersGateway({ root, dataDir, secret, port, host, backendUrl }) {
  const cwd = join(root, 'workers', 'gateway')
  const fixture = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/workers/fixture/write-fixture-files.ts'],
    {
      cwd,
      stdio: 'inherit',
    },
  )
  if (fixture.status !== 0) throw new Error('could not write the fixture model files for wrangler')
  // The secret goes in a file (as .dev.vars would), not on a command line other users can list.
  const secrets = join(dataDir, 'workers-dev.vars')
  writeFileSync(secrets, `BACKEND_SECRET=${secret}\n`, { mode: 0o600 })
  return {
    command: join(cwd, 'node_modules', '.bin', process.platform === 'win32' ? 'wrangler.cmd' : 'wrangler'),
    args: [
      'dev',
      '--local',
      '--port',
      port,
      '--ip',
      host,
      '--var',
      'EDGECLIP_MODEL:fixture',
      '--var',
      'EDGECLIP_AUTH:off',
      '--var',
      `BACKEND_URL:${backendUrl}`,
      '--env-file',
      secrets,
      // Local KV, R2 and Durable Object state in the data dir, beside the Node gateway's (not in
      // workers/gateway/.wrangler, shared by every data dir and test run).
      '--persist-to',
      join(dataDir, 'workers-state'),
      '--show-interactive-dev-session=false',
    ],
    cwd,
    env: {
      // Offline, miniflare's fetch of the Request.cf object printed two ENOTFOUND stack traces.
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
    },
  }
}
