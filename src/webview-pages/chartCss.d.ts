/** Stylesheets imported by webview pages as text (esbuild's `.css` text loader) and adopted at run time. */
declare module '*.css' {
  const text: string;
  export default text;
}
