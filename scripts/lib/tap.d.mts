export function countTap(text: string): { passed: number; failed: number };
