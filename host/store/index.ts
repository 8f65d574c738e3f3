/** host/store: card image files. Public face; re-exports only. */
export * from './image-file.js';
export * from './encryption.js';
export * from './persistent-card.js';
export * from './lock.js';
