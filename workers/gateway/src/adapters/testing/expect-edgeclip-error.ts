// Asserts a promise rejects with an EdgeclipError of this status and code; returns the error.
import { EdgeclipError } from '@edgeclip/core'
import { expect } from 'vitest'

export async function expectEdgeclipError(promise: Promise<unknown>, status: number, code: string) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(EdgeclipError)
  expect({ status: (error as EdgeclipError).status, code: (error as EdgeclipError).code }).toEqual({
    status,
    code,
  })
  return error as EdgeclipError
}
