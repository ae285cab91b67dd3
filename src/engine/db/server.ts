/** How to reach one server: plain data, it crosses process boundaries (worker, CLI --json). */
export interface ServerSpec {
  host: string;
  port: number;
  user: string;
  /** Never persisted: checkpoint rows and events carry specs with the password removed. */
  password?: string;
  database?: string;
  ssl?: boolean | { rejectUnauthorized?: boolean; ca?: string };
  /** A label for messages ("replica1"); defaults to host:port. */
  name?: string;
}
