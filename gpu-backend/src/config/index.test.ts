import { describe, expect, it } from 'vitest'
import { ConfigError, defaultBatching, readBackendConfig } from '.'

const base = { EDGECLIP_MODEL: 'fixture', BACKEND_SECRET: 'secret' }

describe('readBackendConfig', () => {
  it('applies the measured defaults', () => {
    const config = readBackendConfig(base)
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8788,
      model: { kind: 'fixture' },
      provider: 'auto',
      variant: { cuda: 'fp16', webgpu: 'fp16', cpu: 'fp32' },
      text: defaultBatching.text,
      maxQueuedTexts: defaultBatching.maxQueuedTexts,
    })
    expect(config.imageThreads).toBeGreaterThanOrEqual(1)
  })

  it('prefers BACKEND_PORT over PORT, as pnpm start sets both', () => {
    expect(readBackendConfig({ ...base, PORT: '1', BACKEND_PORT: '2' }).port).toBe(2)
  })

  it.each([
    [{ EDGECLIP_MODEL: 'fixture' }, 'BACKEND_SECRET is not set'],
    [{ BACKEND_SECRET: 'secret' }, 'EDGECLIP_MODEL_DIR'],
    [{ ...base, BATCH_MAX_TEXTS: '0' }, 'BATCH_MAX_TEXTS must be an integer >= 1'],
    [{ ...base, BATCH_MAX_WAIT_MS: 'soon' }, 'BATCH_MAX_WAIT_MS'],
    [{ ...base, EDGECLIP_BACKEND_PROVIDER: 'tpu' }, 'EDGECLIP_BACKEND_PROVIDER'],
    [{ ...base, EDGECLIP_BACKEND_VARIANT_CUDA: 'fp8' }, 'EDGECLIP_BACKEND_VARIANT_CUDA'],
    [{ ...base, EDGECLIP_BACKEND_VARIANT_CUDA: 'int8' }, 'DynamicQuantizeMatMul'],
    [{ ...base, EDGECLIP_BACKEND_VARIANT_WEBGPU: 'int8' }, 'EDGECLIP_BACKEND_VARIANT_WEBGPU'],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => readBackendConfig(env)).toThrow(ConfigError)
    expect(() => readBackendConfig(env)).toThrow(message)
  })

  it('takes webgpu by name, and int8 only for the CPU', () => {
    const config = readBackendConfig({
      ...base,
      EDGECLIP_BACKEND_PROVIDER: 'webgpu',
      EDGECLIP_BACKEND_VARIANT_CPU: 'int8',
    })
    expect(config.provider).toBe('webgpu')
    expect(config.variant).toEqual({ cuda: 'fp16', webgpu: 'fp16', cpu: 'int8' })
  })

  it('runs without a secret only when auth is explicitly off', () => {
    expect(readBackendConfig({ EDGECLIP_MODEL: 'fixture', BACKEND_AUTH: 'off' }).secret).toBeUndefined()
  })
})
