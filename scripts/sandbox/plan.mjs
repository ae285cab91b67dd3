// The deterministic seed plan of the `shop` database: row counts and value formulas shared by the
// SQL seed (seed.mjs) and the tests (which recompute expectations from here). Types: plan.d.mts.

/** Base row counts (order_items is derived: 1 + order_id % 4 lines per order). */
export const SHOP_COUNTS = {
  customers: 10_000,
  products: 2_000,
  orders: 20_000,
  events: 5_000,
  attachments: 1_000,
  audit_log: 4_000,
  measurements: 5_000,
  keywords: 500,
  order_notes: 1_000,
  odd_name: 200,
  legacy_latin1: 300,
  zero_dates: 200,
  users_by_email: 2_000,
};

/** Lines of order `id`. @param {number} orderId */
export const linesOfOrder = (orderId) => 1 + (orderId % 4);

/** Expected row count per table name (real table names, incl. `order notes` and odd`name). */
export function expectedShopRows() {
  let items = 0;
  for (let id = 1; id <= SHOP_COUNTS.orders; id++) items += linesOfOrder(id);
  return {
    customers: SHOP_COUNTS.customers,
    products: SHOP_COUNTS.products,
    orders: SHOP_COUNTS.orders,
    order_items: items,
    events: SHOP_COUNTS.events,
    attachments: SHOP_COUNTS.attachments,
    audit_log: SHOP_COUNTS.audit_log,
    measurements: SHOP_COUNTS.measurements,
    keywords: SHOP_COUNTS.keywords,
    'order notes': SHOP_COUNTS.order_notes,
    'odd`name': SHOP_COUNTS.odd_name,
    legacy_latin1: SHOP_COUNTS.legacy_latin1,
    zero_dates: SHOP_COUNTS.zero_dates,
    users_by_email: SHOP_COUNTS.users_by_email,
  };
}

/** First names (utf8mb4: emoji, CJK, accents, a quote, a backslash). */
export const FIRST_NAMES = ['Ana', 'Björn', '東京', '😀 Smile', 'Zoë', 'José', 'Łukasz', 'محمد', '李小龙', "D'Arcy"];
export const LAST_NAMES = ['Smith', 'Müller', '山田', 'Ñúñez', '🚀 Rocket', "O'Brien", 'Back\\slash', 'Øster'];

/** customers.name of customer `id`. @param {number} id */
export function customerName(id) {
  return `${FIRST_NAMES[id % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(id / FIRST_NAMES.length) % LAST_NAMES.length]}`;
}

/** customers.nickname: NULL, '', trailing spaces, or plain. @param {number} id @returns {string | null} */
export function customerNickname(id) {
  switch (id % 4) {
    case 0: return null;
    case 1: return '';
    case 2: return `nick${id}  `;
    default: return `nick${id}`;
  }
}

/** customers.phone: NULL, '' or a number. @param {number} id @returns {string | null} */
export function customerPhone(id) {
  switch (id % 3) {
    case 0: return null;
    case 1: return '';
    default: return `+1-555-${String(id).padStart(7, '0')}`;
  }
}

/** Accented latin1 names of legacy_latin1. */
export const LATIN1_NAMES = ['Café', 'Müller', 'Ångström', 'Señor Niño', 'naïve façade', 'Øresund', '£5 déjà vu', 'Ærøskøbing'];

/** legacy_latin1.name of row `id`. @param {number} id */
export function latin1Name(id) {
  return `${LATIN1_NAMES[id % LATIN1_NAMES.length]} ${id}`;
}

/** Unicode strings of events.payload.user.name. */
export const EVENT_NAMES = ['😀 Smiley', '東京タワー', 'Zoë "quoted"', 'line\nbreak', 'tab\there'];
