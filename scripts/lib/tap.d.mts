export function countTap(text: string): { passed: number; failed: number };
export function tapSummary(text: string): Partial<Record<'tests' | 'suites' | 'pass' | 'fail' | 'cancelled' | 'skipped' | 'todo', number>> | null;
export function checkTap(text: string, file: string): { passed: number; failed: number; problems: string[] };
