/** The typed handle on the webview's host channel; acquireVsCodeApi may be called only once per page. */
interface VsCodeApi<TOut, TState> {
  postMessage(message: TOut): void;
  getState(): TState | undefined;
  setState(state: TState): void;
}

declare function acquireVsCodeApi<TOut, TState>(): VsCodeApi<TOut, TState>;

export function hostChannel<TOut, TIn, TState = unknown>(onMessage: (msg: TIn) => void): VsCodeApi<TOut, TState> {
  const api = acquireVsCodeApi<TOut, TState>();
  window.addEventListener('message', (event: MessageEvent<TIn>) => onMessage(event.data));
  return api;
}
