/** host/fs: real cards' file systems read into card/fs's tree-as-data (public face; re-exports only). */
export { parsePysimExport, type PysimImport } from './pysim-export.js';
export { ExportParseError, EXPORT_ERROR_CODES, type ExportErrorCode } from './errors.js';
export { PBR_TAGS, PHONEBOOK_DEFAULTS, decodePbrRecord, type PbFile, type PbrReference } from './phonebook.js';
export { readClassicResponse, readUiccFcp, type EfStructure, type FcpFacts } from './fcp.js';
export { importPysimExport, parseImportProfile, importProfileSchema, exportedPin1Enabled, CloneError, type ImportOptions, type ImportResult, type ImportProfile } from './import.js';
export { dumpCard, terminalProgress, DumpError, DUMP_ERROR_CODES, SCAN_RANGES, type DumpOptions, type DumpResult, type DumpErrorCode } from './dump.js';
export { writePysimExport, wellKnownFiles, adfName, fidName, type ExportEntry, type ExportHeader } from './export-writer.js';
