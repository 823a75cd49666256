// The Workers exactly as they ship: `wrangler deploy --dry-run --outdir` for the gateway
// (wrangler.jsonc) and each part environment of wrangler.edge-part.jsonc, as
// `pnpm --filter @edgeclip/gateway deploy:check` builds them. The bench runs these files.
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const gatewayDir = resolve(import.meta.dirname, '../../workers/gateway')
const wrangler = join(gatewayDir, 'node_modules', '.bin', 'wrangler')
const tsx = join(gatewayDir, 'node_modules', '.bin', 'tsx')

/** Part environments in wrangler.edge-part.jsonc. */
export const PART_ENVIRONMENTS = ['part-0', 'part-1', 'part-2'] as const

export interface BundleModule {
  type: 'ESModule' | 'CompiledWasm' | 'Data' | 'Text'
  path: string
}

export interface ShippedBundles {
  gateway: BundleModule[]
  /** One bundle per part environment, in PART_ENVIRONMENTS order. */
  parts: BundleModule[][]
}

/** wrangler's module rules for what it wrote: the gateway's rules in wrangler.jsonc, .wasm as CompiledWasm. */
function moduleType(file: string): BundleModule['type'] | undefined {
  // Swagger UI's script and stylesheet, served at /docs (wrangler.jsonc's first rule).
  if (file.endsWith('swagger-ui-bundle.js') || file.endsWith('swagger-ui.css')) return 'Text'
  if (file.endsWith('.js') || file.endsWith('.mjs')) return 'ESModule'
  if (file.endsWith('.wasm')) return 'CompiledWasm'
  if (file.endsWith('.onnx')) return 'Data'
  if (file.endsWith('.txt')) return 'Text'
  return undefined
}

/** The bundle's modules, entry (index.js) first, as workerd loads them. */
async function modulesOf(dir: string): Promise<BundleModule[]> {
  const files = (await readdir(dir)).filter((file) => moduleType(file) !== undefined)
  files.sort((a, b) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b)))
  return files.map((file) => ({ type: moduleType(file)!, path: join(dir, file) }))
}

async function wranglerDryRun(outdir: string, args: string[]): Promise<BundleModule[]> {
  await run(wrangler, ['deploy', '--dry-run', '--outdir', outdir, ...args], {
    cwd: gatewayDir,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    maxBuffer: 16 * 2 ** 20,
  })
  return modulesOf(outdir)
}

export async function buildShippedBundles(workDir: string): Promise<ShippedBundles> {
  // The gateway bundles the fixture model as modules (EDGECLIP_MODEL=fixture); deploy:check writes them first.
  await run(tsx, ['src/workers/fixture/write-fixture-files.ts'], { cwd: gatewayDir })
  const gateway = await wranglerDryRun(join(workDir, 'gateway'), [])
  const parts: BundleModule[][] = []
  for (const environment of PART_ENVIRONMENTS) {
    parts.push(
      await wranglerDryRun(join(workDir, environment), [
        '-c',
        'wrangler.edge-part.jsonc',
        '--env',
        environment,
      ]),
    )
  }
  return { gateway, parts }
}
