export { moveToExternalData } from './external-data'
