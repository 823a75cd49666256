export { bearerKeyAuth } from './bearer-key-auth'
