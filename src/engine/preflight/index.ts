/** The public surface of engine/preflight: checks run before anything is written (binlog settings, grants, server ids, keys). */
export { binlogPreflight, binlogSettingProblems, chooseServerId, readVariables, type BinlogPreflight, type BinlogPreflightInput, type Variables } from './binlog.js';
