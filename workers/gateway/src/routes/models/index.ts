export { modelsRoute, registerModelsRoute } from './models-route'
