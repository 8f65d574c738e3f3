/** card/runtime: the Java Card-style runtime. Public face; re-exports only. */
export * from './bytes.js';
export * from './errors.js';
export * from './apdu.js';
export * from './atr.js';
export * from './memory.js';
export * from './store.js';
export * from './transient.js';
export * from './challenge.js';
export * from './pin.js';
export * from './rng.js';
export * from './crypto.js';
export * from './applet.js';
export * from './session.js';
export * from './response.js';
export * from './card.js';
export * from './tear.js';
export * from './perso.js';
export * from './tlv.js';
export {
  CARD_MANAGER_PRIVILEGES,
  CardManagerError,
  LIFE_CYCLE,
  PRIVILEGE,
  REGISTRY_CELL_PREFIX,
  hasPrivilege,
  isCardManager,
  isLifeCycle,
  isSelectableLifeCycle,
  type CardManager,
  type CardManagerErrorCode,
  type ExecutableLoadFile,
  type InstallRequest,
  type RegistryEntry,
} from './registry.js';
