export { type BearerSecretOptions, bearerSecret } from './bearer-secret'
