export type { EdgeclipErrorOptions, ErrorBody, ErrorType } from './edgeclip-error'
export { EdgeclipError, isEdgeclipError } from './edgeclip-error'
