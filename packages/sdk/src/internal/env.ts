// Reads process.env where it exists: absent in browsers and Workers, and Deno may throw without --allow-env.

export function readEnv(name: string): string | undefined {
  try {
    const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    const value = process?.env?.[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  } catch {
    return undefined
  }
}
