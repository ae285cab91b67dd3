/**
 * Source of the statement-based binlog rules: MariaDB's "Unsafe Statements for Statement-based
 * Replication" (mariadb.com/kb/en/unsafe-statements-for-statement-based-replication/). Under
 * binlog_format=STATEMENT such a statement is logged as text and may do something else on a replica;
 * MIXED (MariaDB's default since 10.2.4) logs it as rows instead, ROW makes no distinction. The
 * checks cannot know the server's format from a .sql file, so they speak of "statement-based binlog".
 */
export const UNSAFE_STATEMENTS_DOCS = 'https://mariadb.com/kb/en/unsafe-statements-for-statement-based-replication/';

/** Verbs that write rows: the nondeterministic-function rule only looks at these. */
export const WRITE_VERBS = new Set(['INSERT', 'REPLACE', 'UPDATE', 'DELETE']);
