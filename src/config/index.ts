/** Public API of the MCP server config module (no `vscode` import; used by the CLI and the UI). */
export { loadConfigFile, loadConfigFiles, analyzeConfigText, writeConfigFile, editConfigFile } from './file';
export type { LoadedConfig, LoadOptions, WriteOptions, EditOptions } from './file';
export { applyEdit, renderServerTable } from './edit';
export type { ConfigEdit, ServerTable } from './edit';
export { validateServer, validateMcpServers } from './validate';
export type { ValidateOptions } from './validate';
export { findConfigFiles, defaultCodexHome } from './discover';
export type { ConfigFileRef, FindOptions } from './discover';
// testConnection is not re-exported: it pulls in the MCP SDK client, and the extension imports this
// barrel at activation (it loads the test on demand). Import it from './connection'.
export type { ConnectionTarget, TestConnectionOptions, TestConnectionResult } from './connection';
export { toCodexJson, formatList, formatGet, maskedEnv, authStatus } from './codex-format';
export { ConfigParseError, ConfigEditError, ConfigConflictError, ConfigValidationError } from './errors';
export type { EditErrorCode } from './errors';
export * from './model';
export type { TomlValue } from './toml-emit';
