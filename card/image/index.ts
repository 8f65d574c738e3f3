/** card/image: the card image format. Public face; re-exports only. */
export * from './image.js';
