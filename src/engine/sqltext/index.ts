/** The public surface of engine/sqltext: the one SQL lexer and statement splitter (pure). */
export { tokenize, type Comment, type Token, type TokenKind, type Tokenized } from './lexer.js';
export { findPair, findWord, isName, isWord, splitStatements, tableNameAt, verb, type StatementSlice } from './statements.js';
