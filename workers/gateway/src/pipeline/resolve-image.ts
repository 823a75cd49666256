// Image inputs to bytes: http(s) URLs through the host's fetcher (SSRF guard, limits), data URIs and
// bare base64 decoded here. Either way the real type comes from magic bytes, never from a label.
import { base64ToBytes, checkImageHeader, EdgeclipError } from '@edgeclip/core'
import type { ImageFetcher } from '../ports'

export interface ResolveImageOptions {
  fetcher: ImageFetcher
  maxImageBytes: number
  maxImagePixels: number
  signal?: AbortSignal
}

// Scheme and parameters are case-insensitive (RFC 2397); base64 may be wrapped in lines (RFC 2045).
const DATA_URI = /^data:([^,;]*)((?:;[^,;]*)*),(.*)$/is
const WHITESPACE = /\s+/g
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i

const invalid = (message: string, code = 'invalid_image') => new EdgeclipError(message, { status: 400, code })

function decodeDataUri(source: string): { bytes: Uint8Array; declaredType: string } {
  const match = DATA_URI.exec(source)
  if (!match) throw invalid('malformed data URI: expected data:<type>;base64,<data>.')
  const [, declaredType = '', parameters = '', data = ''] = match
  if (!parameters.toLowerCase().split(';').includes('base64'))
    throw invalid('data URIs must be base64-encoded (;base64,).')
  const bytes = base64ToBytes(data.replace(WHITESPACE, ''))
  if (!bytes) throw invalid('the data URI does not hold valid base64.')
  return { bytes, declaredType: declaredType.toLowerCase() }
}

function checkInlineImage(bytes: Uint8Array, declaredType: string, options: ResolveImageOptions): Uint8Array {
  if (bytes.length === 0) throw invalid('the image is empty.')
  if (bytes.length > options.maxImageBytes) {
    throw new EdgeclipError(
      `the image has ${bytes.length} bytes; at most ${options.maxImageBytes} are allowed.`,
      {
        status: 413,
        code: 'image_too_large',
      },
    )
  }
  // Type and pixels as the fetcher and the backend judge them (422 / 415 / 413), from magic bytes.
  const header = checkImageHeader(bytes, { maxPixels: options.maxImagePixels })
  // Only a specific image type can disagree; `image/jpg` is a common spelling of image/jpeg.
  const declared = declaredType === 'image/jpg' ? 'image/jpeg' : declaredType
  if (declared.startsWith('image/') && declared !== header.mimeType) {
    throw new EdgeclipError(`the data URI says ${declaredType} but the bytes are ${header.mimeType}.`, {
      status: 422,
      code: 'image_type_mismatch',
    })
  }
  return bytes
}

/** http(s) URLs are fetched; every other source is decoded in place. */
export const isImageUrl = (source: string): boolean => /^https?:\/\//i.test(source.trim())

export async function resolveImage(source: string, options: ResolveImageOptions): Promise<Uint8Array> {
  const trimmed = source.trim()
  if (isImageUrl(trimmed)) {
    const fetched = await options.fetcher.fetch(trimmed, options.signal ? { signal: options.signal } : {})
    return fetched.bytes
  }
  if (/^data:/i.test(trimmed)) {
    const { bytes, declaredType } = decodeDataUri(trimmed)
    return checkInlineImage(bytes, declaredType, options)
  }
  // Base64 has no colon, so anything with a scheme is a URL we will not follow (file:, ftp:, ...).
  if (URL_SCHEME.test(trimmed)) {
    throw invalid('image URLs must be http or https.', 'invalid_image_url')
  }
  const bytes = base64ToBytes(trimmed.replace(WHITESPACE, ''))
  if (!bytes) throw invalid('an image must be an http(s) URL, a data URI or base64 of the image bytes.')
  return checkInlineImage(bytes, '', options)
}
