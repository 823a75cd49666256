export { errorResponse, toEdgeclipError } from './error-response'
export { paramOf, validationError } from './validation-hook'
