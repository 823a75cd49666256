// Tests that need a tool from the machine (Chromium, redis-server) skip where it is absent, so a
// laptop without it still runs the rest. Under CI=true a skip would hide a broken CI image behind a
// green run, so there the test file fails instead, naming the tool and how to install it.

/** Whether this run is CI (`CI=true` or `CI=1`, as `.ci/run` and the common CI services set it). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1'
}

/**
 * `missing` (why `tool` cannot be used here, undefined when it can) for a `skipIf`, with a warning;
 * under CI it throws instead, failing the test file that needs the tool.
 */
export function missingOutsideCi(tool: string, missing: string | undefined): string | undefined {
  if (missing === undefined) return undefined
  if (isCi()) throw new Error(`CI=true and ${tool} is missing: ${missing}`)
  console.warn(`skipping tests that need ${tool}: ${missing}`)
  return missing
}
