/**
 * `cardforge`: the card runtime and the applet model (Card, Applet, CommandTable, CardError, SW,
 * APDU codec, persistent/transient memory, OwnerPin, tearSweep), the command-declaration types and
 * the open registries (registerApplet), card images (serialize/parse; files with atomic save), and
 * CardforgeError, the base of every host error a user can meet (its code is an ErrorCode), and
 * `algorithms`: the authentication and crypto primitives (Milenage, COMP128, XOR, AES-CMAC,
 * AES-CTR, SHA-256, P-256, SQN handling) — their one public home.
 * Everything not exported from cardforge, cardforge/applets, cardforge/transport,
 * cardforge/backend or cardforge/testing is private and may change in any release.
 */
export * from '../card/runtime/index.js';
export { SW, STATUS_WORDS, describeSw, cla, ALL_COMMANDS, APPLET_SPECS, registerAppletSpecs } from '../apdu-specs/index.js';
export type { CommandSpec, FieldSpec, ClassPattern, ApduCase, StatusWordSpec, SwCategory, AppletSpecs, P1P2Spec, P1P2Form, ParamByte, ParamField, ParamValue } from '../apdu-specs/index.js';
/** Writing and reading typed P1-P2 declarations (CommandSpec.p1p2): `p1p2.params(p1p2.is(0x04, 'by DF name'), p1p2.anyByte('offset'))`. */
export * as p1p2 from '../apdu-specs/p1p2.js';
export { APPLET_REGISTRY, registerApplet, type AppletRegistration } from '../card/applets/index.js';
export { imageOf, serializeImage, parseImage, appletLayout, ImageError, IMAGE_FORMAT, IMAGE_VERSION, type CardImage, type CardImageV1, type CardImageV2, type CardImageV3, type ImageApplet, type ImageJournalEntry, type ImageErrorCode, type ParseImageOptions } from '../card/image/index.js';
export { loadImageFile, saveImageFile, ImageFileError } from '../host/store/index.js';
export { CardforgeError, type ErrorCode } from '../host/errors.js';
/** The primitives of card/algorithms (Milenage, GSM-Milenage, COMP128, XOR, AES-128/CMAC/CTR, SHA-256, P-256, SQN): `algorithms.aesCmac`, `algorithms.p256Sign`, … */
export * as algorithms from '../card/algorithms/index.js';
