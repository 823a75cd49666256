import { afterEach, describe, expect, it, vi } from 'vitest'
import { isCi, missingOutsideCi } from '.'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('missingOutsideCi', () => {
  it('passes a present tool through, CI or not', () => {
    vi.stubEnv('CI', 'true')
    expect(missingOutsideCi('redis-server', undefined)).toBeUndefined()
  })

  it('skips with a warning outside CI', () => {
    vi.stubEnv('CI', '')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(missingOutsideCi('Chromium', 'no chromium on PATH')).toBe('no chromium on PATH')
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Chromium'))
  })

  it('fails under CI=true or CI=1, naming the tool and the reason', () => {
    for (const value of ['true', '1']) {
      vi.stubEnv('CI', value)
      expect(isCi()).toBe(true)
      expect(() => missingOutsideCi('Chromium', 'no chromium on PATH')).toThrow(
        'CI=true and Chromium is missing: no chromium on PATH',
      )
    }
  })
})
