// Types of plan.mjs (so TypeScript tests can import the seed plan).
export declare const SHOP_COUNTS: {
  customers: number;
  products: number;
  orders: number;
  events: number;
  attachments: number;
  audit_log: number;
  measurements: number;
  keywords: number;
  order_notes: number;
  odd_name: number;
  legacy_latin1: number;
  zero_dates: number;
  users_by_email: number;
};
export declare function linesOfOrder(orderId: number): number;
export declare function expectedShopRows(): Record<string, number>;
export declare const FIRST_NAMES: string[];
export declare const LAST_NAMES: string[];
export declare function customerName(id: number): string;
export declare function customerNickname(id: number): string | null;
export declare function customerPhone(id: number): string | null;
export declare const LATIN1_NAMES: string[];
export declare function latin1Name(id: number): string;
export declare const EVENT_NAMES: string[];
