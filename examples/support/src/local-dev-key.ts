// How the examples find an API key without being told one: EDGECLIP_API_KEY when set, else the
// local dev key that `pnpm start` makes on first run and keeps in <data dir>/dev-key. A key that is
// missing or refused ends the example with one line saying how to get one, not a stack trace.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const repositoryRoot = resolve(import.meta.dirname, '../../..')

/** Where `pnpm start` keeps its dev key: EDGECLIP_DATA_DIR (from where you ran pnpm), else ./.edgeclip. */
export function devKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  const dataDir = env.EDGECLIP_DATA_DIR
    ? resolve(env.INIT_CWD ?? process.cwd(), env.EDGECLIP_DATA_DIR)
    : join(repositoryRoot, '.edgeclip')
  return join(dataDir, 'dev-key')
}

/** EDGECLIP_API_KEY, else the dev key of a local `pnpm start`, else undefined (a gateway with auth off). */
export function localApiKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.EDGECLIP_API_KEY) return env.EDGECLIP_API_KEY
  try {
    return readFileSync(devKeyPath(env), 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

/** Runs an example's body; a 401 becomes one line on stderr and exit code 1. */
export async function runExample(main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (error) {
    // The SDK's AuthenticationError, told by its status: this package cannot import the SDK, whose
    // tests use this package (a workspace cycle turbo refuses).
    if ((error as { status?: unknown }).status !== 401) throw error
    console.error(
      `The gateway refused the API key (${(error as Error).message}). Run \`pnpm start\` once (it keeps a dev key in ` +
        `${devKeyPath()}), or set EDGECLIP_API_KEY to a key from \`pnpm edgeclip keys create --name me\`.`,
    )
    process.exitCode = 1
  }
}
