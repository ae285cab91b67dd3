/** DOM helpers shared by the page scripts (they run in the webview iframe, under a strict CSP). */

/** Constructable stylesheets: no inline <style>, so the CSP keeps `style-src ${cspSource}`. */
export function adoptCss(...texts: string[]): void {
  const sheets = texts.map((t) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(t);
    return sheet;
  });
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, ...sheets];
}

/** An element with an optional class and text (textContent, never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
