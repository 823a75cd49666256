export type { AddressGuardOptions } from './address-guard'
export { forbiddenAddressReason, isIpLiteral } from './address-policy'
export { imageFetchErrors } from './image-fetch-errors'
export type { ImageHop, ImageHopResponse } from './image-hop'
export { fetchHop } from './image-hop'
export type { SafeImageFetcherOptions } from './safe-image-fetcher'
export {
  DEFAULT_IMAGE_FETCH_TIMEOUT_MS,
  DEFAULT_IMAGE_MAX_BYTES,
  DEFAULT_IMAGE_MAX_REDIRECTS,
  SafeImageFetcher,
} from './safe-image-fetcher'
