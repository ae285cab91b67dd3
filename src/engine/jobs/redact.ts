import type { JobSpec, ServerSpec } from './types.js';

export interface RedactOptions {
  /** Reports drop an inline CA certificate: it is no secret, but pages of PEM bury the settings. */
  omitInlineCa?: boolean;
}

/** A server spec safe to store, log or report: the password is the only secret it carries. */
export function redactServer(server: ServerSpec, opts: RedactOptions = {}): ServerSpec {
  const { password: _password, ...rest } = server;
  if (opts.omitInlineCa && rest.ssl && typeof rest.ssl === 'object' && rest.ssl.ca) rest.ssl = { ...rest.ssl, ca: '(certificate omitted)' };
  return rest;
}

/** The job spec as it may be written to the checkpoint schema, a report or a log. */
export function redactSpec(spec: JobSpec, opts: RedactOptions = {}): JobSpec {
  const r = (s: ServerSpec) => redactServer(s, opts);
  return {
    ...spec,
    source: r(spec.source),
    target: r(spec.target),
    ...(spec.replicas ? { replicas: spec.replicas.map(r) } : {}),
    ...(spec.sourceReplicas ? { sourceReplicas: spec.sourceReplicas.map(r) } : {}),
  };
}
