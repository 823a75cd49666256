export {
  type BackendConfig,
  ConfigError,
  defaultBatching,
  type ProviderChoice,
  readBackendConfig,
} from './backend-config'
