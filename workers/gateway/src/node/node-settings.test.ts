import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_BACKEND_URL, DEFAULT_PORT, readNodeSettings } from '.'

describe('readNodeSettings', () => {
  it('defaults to a local, authenticated gateway in front of a local backend', () => {
    const settings = readNodeSettings({})
    expect(settings).toMatchObject({
      port: DEFAULT_PORT,
      host: '127.0.0.1',
      dataDir: resolve('.edgeclip'),
      auth: true,
      backendUrl: DEFAULT_BACKEND_URL,
      model: { kind: 'dir', dir: resolve('.edgeclip/models/jina-clip-v1') },
      edgeTower: true,
    })
    expect(settings.config.edgeMaxTokens).toBe(16)
    expect(settings.config.corsOrigins).toEqual([])
  })

  it('reads CORS origins as a comma-separated list', () => {
    const settings = readNodeSettings({ EDGECLIP_CORS_ORIGINS: ' https://a.example, https://b.example ,' })
    expect(settings.config.corsOrigins).toEqual(['https://a.example', 'https://b.example'])
  })

  it('reads the fixture model, auth off, limits and a disabled backend', () => {
    const settings = readNodeSettings({
      EDGECLIP_MODEL: 'fixture',
      EDGECLIP_AUTH: 'off',
      BACKEND_URL: 'off',
      EDGECLIP_EDGE_MAX_TOKENS: '128',
      EDGECLIP_RPM: '5',
    })
    expect(settings.model).toEqual({ kind: 'fixture' })
    expect([settings.auth, settings.backendUrl]).toEqual([false, undefined])
    expect(settings.config.edgeMaxTokens).toBe(128)
    expect(settings.config.defaultLimits).toEqual({ requestsPerMinute: 5, tokensPerMinute: 1_000_000 })
  })

  it('resolves relative paths against the directory pnpm was started from', () => {
    const settings = readNodeSettings({ INIT_CWD: '/srv/app', EDGECLIP_MODEL_DIR: 'models/clip' })
    expect([settings.dataDir, settings.model]).toEqual([
      '/srv/app/.edgeclip',
      { kind: 'dir', dir: '/srv/app/models/clip' },
    ])
  })

  it('keeps auth on for anything but an explicit off', () => {
    expect(readNodeSettings({ EDGECLIP_AUTH: 'of' }).auth).toBe(true)
  })

  it('prefers a Modal function, then a Modal endpoint, over BACKEND_URL', () => {
    expect(readNodeSettings({ MODAL_APP: 'edgeclip', MODAL_URL: 'https://x.modal.run' }).modal).toEqual({
      kind: 'function',
      appName: 'edgeclip',
      functionName: 'embed_batch',
      tokenId: undefined,
      tokenSecret: undefined,
      environment: undefined,
    })
    expect(readNodeSettings({ MODAL_URL: 'https://x.modal.run', MODAL_KEY: 'k' }).modal).toMatchObject({
      kind: 'endpoint',
      key: 'k',
    })
  })

  it('stops on malformed values, naming the variable', () => {
    expect(() => readNodeSettings({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => readNodeSettings({ EDGECLIP_BACKEND_TIMEOUT_MS: '0' })).toThrow(
      /EDGECLIP_BACKEND_TIMEOUT_MS/,
    )
    expect(() => readNodeSettings({ EDGECLIP_MODEL: 'jina-clip-v2' })).toThrow(/EDGECLIP_MODEL/)
  })

  it('shares state through REDIS_URL, failing rate limits open unless told closed', () => {
    expect(readNodeSettings({})).toMatchObject({ redisUrl: undefined, rateLimitOnRedisError: 'open' })
    expect(
      readNodeSettings({ REDIS_URL: 'redis://r:6379', EDGECLIP_RATE_LIMIT_ON_REDIS_ERROR: 'closed' }),
    ).toMatchObject({ redisUrl: 'redis://r:6379', rateLimitOnRedisError: 'closed' })
    expect(() => readNodeSettings({ EDGECLIP_RATE_LIMIT_ON_REDIS_ERROR: 'maybe' })).toThrow(
      /EDGECLIP_RATE_LIMIT_ON_REDIS_ERROR/,
    )
  })
})
