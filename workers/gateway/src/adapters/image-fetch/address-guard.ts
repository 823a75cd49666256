// The policy every hop's address is checked against, shared by the Workers and Node fetchers.
import { forbiddenAddressReason } from './address-policy'

export interface AddressGuardOptions {
  /** Skips the address checks entirely. For tests against local servers only. */
  allowPrivate?: boolean
  /** Lets exactly these addresses through (e.g. one local test server's port); others still checked. */
  allowAddress?: (address: string, port: number) => boolean
}

/** Returns why `address:port` is refused, or undefined when it may be contacted. */
export type AddressGuard = (address: string, port: number) => string | undefined

export function createAddressGuard(options: AddressGuardOptions): AddressGuard {
  return (address, port) => {
    if (options.allowPrivate === true || options.allowAddress?.(address, port) === true) return undefined
    return forbiddenAddressReason(address)
  }
}

export function defaultPort(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
}

export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}
